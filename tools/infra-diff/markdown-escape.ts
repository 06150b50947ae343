/**
 * The one way a value (a name, an attribute's value, a reason: anything a pull request
 * can make the report say) enters the pull request comment.
 *
 * The comment is split into parts by the workflow on a line `<!-- infra-diff part i/n -->`,
 * and GitHub reads it as Markdown with HTML, mentions and autolinks. A value must
 * therefore never start a line (every line break and control character is shown as an
 * escape such as `\n`, which also keeps it from ending a code span or a `<details>`
 * block), and never be read as markup where it lands: no HTML or HTML comment, no
 * image, link or autolink, no @mention (which would notify someone), no table cell.
 */

/**
 * Where a value lands, which decides how it is quoted:
 * - `text`: prose in a Markdown line (a list item, a table cell, bold text);
 * - `code`: an inline code span, which it makes itself;
 * - `html`: text inside the HTML of `<details><summary>`, where Markdown is not read;
 * - `mermaid`: a quoted label in the Mermaid graph (a fenced code block).
 */
export type MarkdownContext = "text" | "code" | "html" | "mermaid";

/** Line breaks (GitHub's Markdown and the workflow's `^` also break at \r, U+2028 and U+2029) and other control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: it finds control characters to show them as escapes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROL_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** An @mention as GitHub finds it: after the start or a non-word character, a user or team name. */
const MENTION = /(^|[^\w@])@([A-Za-z0-9][\w-]*)/g;
/** What GitHub turns into a link without brackets: `scheme://...` and `www.` */
const AUTOLINK = /:\/\/|\bwww\./gi;
/** Markdown punctuation that starts markup anywhere in a line (emphasis, code, links and images, table cells, escapes). */
const INLINE_MARKUP = /[\\`*[\]|]/g;
/** What starts a block (heading, quote, list, thematic break, setext line) when it comes first in a line or a list item. */
const BLOCK_START = /^(\s*)([#>+\-=_~]|\d{1,9}(?=[.)]))/;

/**
 * A value as literal text in the comment, quoted for the place it lands in. Every value
 * rendered into the comment goes through here; plain values (names, versions, paths)
 * come out as they went in.
 */
export function escapeMarkdown(value: string, context: MarkdownContext): string {
  const oneLine = showControlCharacters(value);
  switch (context) {
    case "code":
      return codeSpan(oneLine);
    case "mermaid":
      // Mermaid's entity codes (#34;) are the only escapes a quoted label knows.
      return oneLine.replace(/[#"&<>`|]/g, (c) => `#${c.charCodeAt(0)};`);
    case "html":
      return unmention(escapeHtml(oneLine).replace(AUTOLINK, (m) => m.replace(/[:.]/, (c) => `&#${c.charCodeAt(0)};`)));
    case "text": {
      const inline = escapeHtml(oneLine)
        .replace(INLINE_MARKUP, "\\$&")
        .replace(AUTOLINK, (m) => m.replace(/[:.]/, "\\$&"))
        .replace(BLOCK_START, (_, space: string, marker: string) =>
          /\d/.test(marker) ? `${space}${marker}\\` : `${space}\\${marker}`,
        );
      return unmention(inline);
    }
  }
}

/**
 * `text` on one line, with nothing a terminal acts on: every line break and control
 * character (an escape sequence's ESC included) shown as an escape such as `\n` or
 * `\u001b`. The text report and the Markdown both show values through it.
 */
export function showControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => CONTROL_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Inline code that survives backticks in the value: a longer fence, and spaces where the value starts or ends with one. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Text that HTML must not read as markup (`>` alone starts nothing). */
function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/**
 * An @mention in code, where GitHub links and notifies no one. An entity or a backslash
 * would not do: GitHub finds mentions in the text after both are read.
 */
function unmention(text: string): string {
  return text.replace(MENTION, "$1<code>@$2</code>");
}
