// Severity names for findings (finding.h): the spellings every report format and --fail-on use.
#include "moeprof/analyzer/finding.h"

#include <cctype>

namespace moeprof::analyzer {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarn: return "warn";
    case Severity::kHigh: return "high";
  }
  return "info";
}

bool ParseSeverity(const std::string& name, Severity& out) {
  std::string low;
  for (char c : name) low += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // "warning" and "error"-free spellings people type in CI configs are accepted as synonyms.
  if (low == "info") { out = Severity::kInfo; return true; }
  if (low == "warn" || low == "warning") { out = Severity::kWarn; return true; }
  if (low == "high") { out = Severity::kHigh; return true; }
  return false;
}

}  // namespace moeprof::analyzer
