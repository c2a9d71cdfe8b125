// Where a reply's quoted history starts: the clients' attributions, Outlook's separators and header
// blocks, trailing "> " quotes; never an answer written between quoted lines, never a forward.
import { describe, expect, it } from 'vitest';
import { quoteStart } from '../../../worker/mail/quote.ts';

/** The text before and after the fold, as the thread shows them. */
function split(text: string): [string, string] | null {
  const at = quoteStart(text);
  return at === null ? null : [text.slice(0, at).trimEnd(), text.slice(at)];
}

describe('quoteStart', () => {
  it('Gmail and Apple Mail: "On … wrote:" and the quoted lines under it', () => {
    const text = 'Thanks, that worked.\n\nOn Tue, 3 Jun 2025 at 09:14, Acme Support <support@acme.test> wrote:\n> Please restart the router.\n>\n> Acme Support\n';
    expect(split(text)).toEqual(['Thanks, that worked.', 'On Tue, 3 Jun 2025 at 09:14, Acme Support <support@acme.test> wrote:\n> Please restart the router.\n>\n> Acme Support\n']);
  });

  it('an attribution wrapped onto a second line', () => {
    const text = 'Still broken.\n\nOn Tue, Jun 3, 2025 at 9:14 AM Acme Support <\nsupport@acme.test> wrote:\n\n> Did that help?\n';
    expect(split(text)?.[0]).toBe('Still broken.');
  });

  it('the attributions of other languages', () => {
    expect(split('Danke!\n\nAm 03.06.2025 um 09:14 schrieb Acme Support <support@acme.test>:\n> Hallo\n')?.[0]).toBe('Danke!');
    expect(split('Merci.\n\nLe mar. 3 juin 2025 à 09:14, Acme Support <support@acme.test> a écrit :\n> Bonjour\n')?.[0]).toBe('Merci.');
  });

  it('Outlook: the Original Message separator, or a From:/Sent: block under a rule, with unprefixed history', () => {
    expect(split('Yes please.\r\n\r\n-----Original Message-----\r\nFrom: Acme Support\r\nSent: Tuesday\r\n\r\nShall we replace it?\r\n')?.[0]).toBe('Yes please.');
    const outlook =
      'Yes please.\n\n________________________________\nFrom: Acme Support <support@acme.test>\nSent: Tuesday, June 3, 2025 09:14\nTo: Alice\nSubject: Re: [#12] Cracked lid\n\nShall we replace it?\n';
    expect(split(outlook)).toEqual(['Yes please.', outlook.slice(outlook.indexOf('____'))]);
    expect(split('Yes please.\n\nFrom: Acme Support <support@acme.test>\nSent: Tuesday\nTo: Alice\n\nShall we?\n')?.[0]).toBe('Yes please.');
  });

  it('a trailing block of quoted lines without an attribution', () => {
    expect(split('See below.\n\n> What is your order number?\n> \n> Acme\n')).toEqual(['See below.', '> What is your order number?\n> \n> Acme\n']);
  });

  it('answers written between quoted lines stay visible: only a quote that runs to the end folds', () => {
    const inline = 'On Tue, Acme Support wrote:\n> What is your order number?\n4471\n> And the colour?\nBlue\n';
    expect(quoteStart(inline)).toBeNull();
    const answeredThenQuoted = 'Hi,\n\nOn Tue, Acme wrote:\n> Number?\n4471\n\n> Thanks\n';
    expect(split(answeredThenQuoted)?.[1]).toBe('> Thanks\n');
  });

  it('nothing to fold: no quote, a message that is only a quote, a forwarded message', () => {
    expect(quoteStart('My order has not arrived.\nOrder 4471.')).toBeNull();
    expect(quoteStart('> only a quote\n> nothing else\n')).toBeNull();
    expect(quoteStart('On Tue, Acme wrote:\n> Hello\n')).toBeNull();
    expect(quoteStart('FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Shop <orders@shop.test>\nDate: Tue\nSubject: Order\n\n> Your order shipped\n')).toBeNull();
    expect(quoteStart('')).toBeNull();
  });

  it('a customer mentioning "From:" in their own words is not an Outlook block', () => {
    expect(quoteStart('I ordered it\nFrom: your website\nlast week.')).toBeNull();
  });
});
