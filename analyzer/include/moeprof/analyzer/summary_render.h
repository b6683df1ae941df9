// Renders a TraceSummary for people (aligned text within 80 columns, human units) and for
// programs (one JSON object; the fields are documented in docs/CLI.md).
#pragma once

#include <string>

#include "moeprof/analyzer/json_writer.h"
#include "moeprof/analyzer/trace_summary.h"

namespace moeprof::analyzer {

// Several lines ending in '\n', no trailing blank line.
std::string RenderSummaryText(const TraceSummary& summary);

// Writes one JSON object describing `summary` as the next value of `json`.
void WriteSummaryJson(JsonWriter& json, const TraceSummary& summary);

}  // namespace moeprof::analyzer
