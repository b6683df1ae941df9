// The JSON walk of a Kineto file (simdjson on-demand, one forward pass, error codes only) into
// the compact Model. Errors that make the whole file unusable (invalid JSON, too deep, not a
// trace) come back as one Status naming the file; bad single records are counted in
// Model::skipped and left out.
#pragma once

#include <string_view>

#include "kineto_internal.h"
#include "kineto_model.h"

namespace moeprof::analyzer::kineto {

Status WalkJson(std::string_view display_name, const JsonBuffer& json, const Limits& limits,
                const ImportOptions& options, Model& model);

}  // namespace moeprof::analyzer::kineto
