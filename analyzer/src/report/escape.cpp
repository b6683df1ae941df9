// Escaping for each report format (report.h): terminal, markdown, XML; and the word wrapper the
// text report uses. Strings from traces (kernel names, NVTX text, file paths) may hold control
// characters, escape sequences, markup or broken UTF-8; none of it may change the meaning or the
// look of the output it lands in.
#include <string>
#include <string_view>

#include "moeprof/analyzer/report.h"
#include "utf8.h"

namespace moeprof::analyzer {

using report_detail::AppendUtf8;
using report_detail::DecodeUtf8;
using report_detail::kReplacement;

namespace {

// Characters that reorder text on a terminal or in a browser (Trojan-source style): LRE..RLO,
// LRI..PDI, and the marks.
bool IsBidiControl(int32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

// Never copied into text or markdown: C0/C1 controls (ESC starts every terminal escape
// sequence), DEL, bidi overrides.
bool IsDroppedControl(int32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || IsBidiControl(cp);
}

}  // namespace

std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    const int32_t cp = DecodeUtf8(s, i, len);
    i += len;
    if (cp < 0) {
      AppendUtf8(out, kReplacement);
    } else if (cp == '\t' || cp == '\n' || cp == '\r') {
      out.push_back(' ');
    } else if (IsDroppedControl(cp)) {
      // dropped
    } else {
      AppendUtf8(out, static_cast<uint32_t>(cp));
    }
  }
  return out;
}

std::string MarkdownInline(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    const int32_t cp = DecodeUtf8(s, i, len);
    i += len;
    if (cp < 0) {
      AppendUtf8(out, kReplacement);
      continue;
    }
    switch (cp) {
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '&': out += "&amp;"; continue;
      case '\t': case '\n': case '\r': out.push_back(' '); continue;
      default: break;
    }
    if (IsDroppedControl(cp)) continue;
    // CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that act in
    // the middle of a line: emphasis, code spans, links, table cells, strikethrough. (Text from a
    // trace never starts a line in our markdown, so heading and list markers stay literal.)
    if (std::string_view("\\`*_[]|~").find(static_cast<char>(cp)) != std::string_view::npos) {
      out.push_back('\\');
    }
    AppendUtf8(out, static_cast<uint32_t>(cp));
  }
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t len = 0;
    const int32_t cp = DecodeUtf8(s, i, len);
    i += len;
    if (cp < 0) {
      AppendUtf8(out, kReplacement);
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += "&quot;"; continue;
      case '\'': out += "&apos;"; continue;
      // Kept, but as references: attribute-value normalization would turn raw ones into spaces.
      case '\t': out += "&#9;"; continue;
      case '\n': out += "&#10;"; continue;
      case '\r': out += "&#13;"; continue;
      default: break;
    }
    // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
    // C1 controls (XML 1.0 "discouraged") and bidi overrides are dropped too: the same text
    // lands in HTML (markdown <summary>) and in CI dashboards.
    if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF || (cp >= 0x7F && cp < 0xA0) || IsBidiControl(cp)) {
      continue;
    }
    AppendUtf8(out, static_cast<uint32_t>(cp));
  }
  return out;
}

std::string WrapText(std::string_view text, int width, std::string_view first_prefix, int indent) {
  const size_t w = width > indent + 10 ? static_cast<size_t>(width) : static_cast<size_t>(indent + 10);
  const std::string pad(static_cast<size_t>(indent), ' ');
  std::string out(first_prefix);
  size_t col = report_detail::Columns(first_prefix);
  bool line_empty = true;  // no word on the current line yet (after its prefix)
  auto newline = [&] {
    out += "\n" + pad;
    col = static_cast<size_t>(indent);
    line_empty = true;
  };
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    size_t j = text.find(' ', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view word = text.substr(i, j - i);
    i = j;
    size_t wc = report_detail::Columns(word);
    const size_t need = wc + (line_empty ? 0 : 1);
    if (col + need <= w) {
      if (!line_empty) out.push_back(' ');
      out.append(word);
      col += need;
      line_empty = false;
      continue;
    }
    if (!line_empty && wc <= w - static_cast<size_t>(indent)) {
      newline();
      out.append(word);
      col += wc;
      line_empty = false;
      continue;
    }
    // A word longer than a line (a demangled kernel name): fill the line, break it, go on.
    if (!line_empty) {
      if (col + 2 > w) {
        newline();
      } else {
        out.push_back(' ');
        ++col;
      }
    }
    while (wc > 0) {
      const size_t room = w > col ? w - col : 0;
      if (room == 0) {
        newline();
        continue;
      }
      // Take `room` code points (never split a UTF-8 sequence).
      size_t bytes = 0, taken = 0;
      while (bytes < word.size() && taken < room) {
        ++bytes;
        while (bytes < word.size() && (static_cast<unsigned char>(word[bytes]) & 0xC0) == 0x80) ++bytes;
        ++taken;
      }
      out.append(word.substr(0, bytes));
      word.remove_prefix(bytes);
      col += taken;
      wc -= taken;
      line_empty = false;
      if (wc > 0) newline();
    }
  }
  out.push_back('\n');
  return out;
}

}  // namespace moeprof::analyzer
