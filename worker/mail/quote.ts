// quote: where the quoted history of a reply begins in its plain text, so that the thread can show
// what the sender wrote now and fold what their mail client appended. Pure; the stored text stays
// whole, this only says where to fold (MessageView.quotedFrom).

/**
 * Lines that introduce the quoted message under a top-posted reply, as the common clients write
 * them: "On Tue, 3 Jun 2025 at 09:14, Acme <support@acme.test> wrote:" and its translations.
 * The attribution may wrap onto a second line, so it is matched on a line and the one after it.
 */
const ATTRIBUTION = [
  /^On\b.{4,300}\bwrote:$/i,
  /^Am\b.{4,300}\bschrieb\b.{0,300}:$/i,
  /^Le\b.{4,300}\ba écrit\s?:$/i,
  /^El\b.{4,300}\bescribió:$/i,
  /^Op\b.{4,300}\bschreef\b.{0,300}:$/i,
  /^Il giorno\b.{4,300}\bha scritto:$/i,
  /^Den\b.{4,300}\bskrev\b.{0,300}:$/i,
];

/** Outlook and others mark the quoted message with a rule line. */
const SEPARATOR = [/^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Oorspronkelijk bericht|Messaggio originale)\s*-{2,}$/i];

/** Outlook's header block above the quoted message: From:, then Sent:/Date: within the next lines. */
const HEADER_FROM = /^\*?(From|Von|De|Van|Da|Fra|Från):\*?\s+\S/i;
const HEADER_NEXT = /^\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Verzonden|Inviato|Sendt|Skickat|To|An|À|Para|Aan|A|Til|Till|Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto|Emne|Ämne):\*?\s/i;

/** A forwarded message is what the customer sends us, not history: never folded. */
const FORWARD = /^-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré|Mensaje reenviado|Doorgestuurd bericht|Messaggio inoltrato)\s*-{2,}$/i;

const isQuoted = (line: string) => line.startsWith('>');
const isBlank = (line: string) => line.trim() === '';

/**
 * The offset in `text` where its quoted history starts, or null when it has none (or when nothing
 * but the quote would be left to show). Quoted history is: from an attribution line ("On … wrote:"),
 * a separator ("-----Original Message-----") or an Outlook header block (From:/Sent:) to the end;
 * or, for a reply written above or between quotes, the last run of "> " lines (blank lines in it
 * allowed) that reaches the end of the message. Answers written between quoted lines stay visible.
 */
export function quoteStart(text: string): number | null {
  const lines = text.split('\n');
  const starts: number[] = [];
  let at = 0;
  for (const line of lines) {
    starts.push(at);
    at += line.length + 1;
  }
  const trimmed = lines.map((l) => l.replace(/\r$/, '').trim());
  let cut: number | null = null;
  for (let i = 0; i < trimmed.length && cut === null; i++) {
    const line = trimmed[i]!;
    if (FORWARD.test(line)) return null;
    if (line === '' || isQuoted(line)) continue;
    const wrapped = i + 1 < trimmed.length ? `${line} ${trimmed[i + 1]}` : line;
    const attribution = ATTRIBUTION.some((re) => re.test(line)) ? 1 : ATTRIBUTION.some((re) => re.test(wrapped)) ? 2 : 0;
    // An attribution folds only a quote that runs to the end: answers written between the quoted
    // lines below it are the reply itself.
    if (attribution) {
      if (trimmed.slice(i + attribution).every((l) => l === '' || isQuoted(l))) cut = i;
    } else if (SEPARATOR.some((re) => re.test(line))) cut = i;
    else if (/^_{10,}$/.test(line) && HEADER_FROM.test(trimmed[i + 1] ?? '')) cut = i;
    else if (HEADER_FROM.test(line) && trimmed.slice(i + 1, i + 4).some((l) => HEADER_NEXT.test(l)) && (i === 0 || isBlank(trimmed[i - 1]!) || /^_{10,}$/.test(trimmed[i - 1]!))) cut = i;
  }
  if (cut === null) {
    // The trailing block of quoted lines (an attribution right above it was found by the loop).
    let i = trimmed.length;
    while (i > 0 && (isBlank(trimmed[i - 1]!) || isQuoted(trimmed[i - 1]!))) i--;
    while (i < trimmed.length && isBlank(trimmed[i]!)) i++;
    if (i >= trimmed.length || !isQuoted(trimmed[i]!)) return null;
    cut = i;
  }
  const fresh = lines.slice(0, cut).join('\n');
  // Nothing of the sender's own above it: folding would hide the whole message.
  if (fresh.trim() === '') return null;
  return starts[cut]!;
}
