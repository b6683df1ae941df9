// `moeprof info`: resolves the inputs (files, or run directories holding one trace per rank),
// summarizes each trace and prints the summaries as text or JSON. Unreadable inputs are reported on
// stderr as "moeprof: FILE: what is wrong" and make the exit code 2, but the other inputs are
// still summarized so one bad rank file does not hide the rest.
#include "info_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/json_writer.h"
#include "moeprof/analyzer/summary_render.h"
#include "moeprof/analyzer/trace_inputs.h"
#include "moeprof/analyzer/trace_summary.h"
#include "moeprof/analyzer/version.h"

namespace moeprof::cli {
namespace {

struct InfoArgs {
  std::vector<std::string> inputs;
  bool json = false;
};

struct InputError {
  std::string path;
  std::string message;  // starts with the path
};

// Library messages name the file already; add it only if one does not, so it is never doubled.
std::string NamedMessage(const std::string& path, const std::string& message) {
  if (message.rfind(path, 0) == 0) return message;
  return path + ": " + message;
}

int RunInfo(const InfoArgs& args) {
  std::vector<InputError> errors;
  auto fail = [&](const std::string& path, const Status& st) {
    errors.push_back({path, NamedMessage(path, st.message())});
    fmt::print(stderr, "moeprof: {}\n", errors.back().message);
    std::fflush(stderr);
  };

  std::string json_out;
  analyzer::JsonWriter json(json_out);
  if (args.json) {
    json.BeginObject();
    json.Key("moeprof_version").String(analyzer::Version());
    json.Key("traces").BeginArray();
  }

  bool first = true;
  for (const std::string& input : args.inputs) {
    Expected<std::vector<std::string>> files = analyzer::EnsureMoeprofTraces(input);
    if (!files) {
      fail(input, files.status());
      continue;
    }
    for (const std::string& file : *files) {
      Expected<analyzer::TraceSummary> summary = analyzer::SummarizeTrace(file);
      if (!summary) {
        fail(file, summary.status());
        continue;
      }
      if (args.json) {
        analyzer::WriteSummaryJson(json, *summary);
      } else {
        // Printed as soon as each trace is done, so a run directory of many ranks shows progress.
        fmt::print("{}{}", first ? "" : "\n", analyzer::RenderSummaryText(*summary));
        std::fflush(stdout);
      }
      first = false;
    }
  }

  if (args.json) {
    json.EndArray();
    json.Key("errors").BeginArray();
    for (const InputError& e : errors) {
      json.BeginObject();
      json.Key("path").String(e.path);
      json.Key("message").String(e.message);
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
    fmt::print("{}", json_out);
  }
  return errors.empty() ? 0 : 2;
}

}  // namespace

void RegisterInfoCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "info", "Summarize traces: versions, devices, rank, time span, rows per table, drops");
  // Shared with the callback, which runs after parsing has filled it in.
  auto args = std::make_shared<InfoArgs>();
  cmd->add_option("inputs", args->inputs, "Trace files, or run directories (every *.sqlite/*.db)")
      ->required()
      ->type_name("FILE|DIR");
  cmd->add_flag("--json", args->json, "Machine-readable output (fields in docs/CLI.md)");
  cmd->callback([args, &exit_code] { exit_code = RunInfo(*args); });
}

}  // namespace moeprof::cli
