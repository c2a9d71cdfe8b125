// The built-in wording of the acknowledgement sent while a mailbox's office is closed, in each of
// ACK_LANGUAGES. It says when the team is back ({{office.reopens}}: the next opening of the
// mailbox's calendar, in the calendar's zone), not only that it is away. Pure data.
import type { AckLanguage, AckTemplate } from './templates.ts';

const html = (paragraphs: string[], footer: string) =>
  [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.4">',
    ...paragraphs.map((p) => `<p>${p}</p>`),
    `<p style="color: #666; font-size: smaller">${footer}</p>`,
    '</body></html>',
  ].join('\n');

export const OFF_HOURS_TEMPLATES: Record<AckLanguage, AckTemplate> = {
  en: {
    subject: 'Re: {{case.subject}}',
    text: [
      'Hello {{customer.name}},',
      '',
      'Thank you for contacting {{mailbox.name}}. We have received your message and opened case',
      '#{{case.number}}: "{{case.subject}}".',
      '',
      'Our team is away right now. We are back {{office.reopens}} and will answer you then.',
      '',
      'To add to this case, reply to this email and keep [#{{case.number}}] in the subject.',
      '',
      '{{mailbox.name}}',
      '',
      '(This is an automatic acknowledgement.)',
    ].join('\n'),
    html: html(
      [
        'Hello {{customer.name}},',
        'Thank you for contacting {{mailbox.name}}. We have received your message and opened case\n<strong>#{{case.number}}</strong>: &ldquo;{{case.subject}}&rdquo;.',
        'Our team is away right now. We are back <strong>{{office.reopens}}</strong> and will answer you then.',
        'To add to this case, reply to this email and keep [#{{case.number}}] in the subject.',
        '{{mailbox.name}}',
      ],
      'This is an automatic acknowledgement.',
    ),
  },
  de: {
    subject: 'Re: {{case.subject}}',
    text: [
      'Hallo {{customer.name}},',
      '',
      'vielen Dank für Ihre Nachricht an {{mailbox.name}}. Wir haben sie erhalten und den Vorgang',
      '#{{case.number}} angelegt: „{{case.subject}}“.',
      '',
      'Unser Team ist gerade nicht im Dienst. Wir sind {{office.reopens}} wieder da und antworten Ihnen dann.',
      '',
      'Wenn Sie etwas ergänzen möchten, antworten Sie auf diese E-Mail und lassen Sie [#{{case.number}}] im Betreff stehen.',
      '',
      '{{mailbox.name}}',
      '',
      '(Dies ist eine automatische Eingangsbestätigung.)',
    ].join('\n'),
    html: html(
      [
        'Hallo {{customer.name}},',
        'vielen Dank für Ihre Nachricht an {{mailbox.name}}. Wir haben sie erhalten und den Vorgang\n<strong>#{{case.number}}</strong> angelegt: &bdquo;{{case.subject}}&ldquo;.',
        'Unser Team ist gerade nicht im Dienst. Wir sind <strong>{{office.reopens}}</strong> wieder da und antworten Ihnen dann.',
        'Wenn Sie etwas ergänzen möchten, antworten Sie auf diese E-Mail und lassen Sie [#{{case.number}}] im Betreff stehen.',
        '{{mailbox.name}}',
      ],
      'Dies ist eine automatische Eingangsbestätigung.',
    ),
  },
  fr: {
    subject: 'Re: {{case.subject}}',
    text: [
      'Bonjour {{customer.name}},',
      '',
      'Merci d’avoir contacté {{mailbox.name}}. Nous avons bien reçu votre message et ouvert le dossier',
      '#{{case.number}} : « {{case.subject}} ».',
      '',
      'Notre équipe est absente pour le moment. Nous serons de retour {{office.reopens}} et vous répondrons alors.',
      '',
      'Pour compléter ce dossier, répondez à cet e-mail en gardant [#{{case.number}}] dans l’objet.',
      '',
      '{{mailbox.name}}',
      '',
      '(Ceci est un accusé de réception automatique.)',
    ].join('\n'),
    html: html(
      [
        'Bonjour {{customer.name}},',
        'Merci d’avoir contacté {{mailbox.name}}. Nous avons bien reçu votre message et ouvert le dossier\n<strong>#{{case.number}}</strong> : &laquo;&nbsp;{{case.subject}}&nbsp;&raquo;.',
        'Notre équipe est absente pour le moment. Nous serons de retour <strong>{{office.reopens}}</strong> et vous répondrons alors.',
        'Pour compléter ce dossier, répondez à cet e-mail en gardant [#{{case.number}}] dans l’objet.',
        '{{mailbox.name}}',
      ],
      'Ceci est un accusé de réception automatique.',
    ),
  },
};
