// `moeprof import`: converts foreign traces into moeprof traces and attaches routing traces.
//   moeprof import SRC... -o OUT [--routing R.jsonl]... [--force] [--quiet]
//   moeprof import --routing R.jsonl... --into TRACE.sqlite
// OUT ending in .sqlite/.db (and not a directory) is one trace file, for a source holding one
// process; anything else is a directory receiving one file per process/rank, named like the
// collector's. A SRC directory stands for the files inside it (Kineto rank files, nsys exports,
// router_trace_rank*.jsonl), detected from their bytes. Any failure removes what this run wrote
// and exits 2 with "moeprof: FILE: what is wrong"; records skipped inside a good file are counted,
// printed, and stored in each trace's drops table.
#include "import_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "moeprof/analyzer/importers.h"
#include "moeprof/analyzer/trace_inputs.h"

namespace fs = std::filesystem;

namespace moeprof::cli {
namespace {

struct ImportArgs {
  std::vector<std::string> sources;
  std::string output;
  std::vector<std::string> routing;
  std::string into;
  bool force = false;
  bool quiet = false;
};

int Fail(const std::string& message) {
  fmt::print(stderr, "moeprof: {}\n", message);
  return 2;
}

std::string SkippedText(const analyzer::ImportStats& stats) {
  int64_t total = 0;
  std::string detail;
  for (const auto& [reason, n] : stats.skipped) {
    total += n;
    detail += fmt::format("{}{}: {}", detail.empty() ? "" : "; ", reason, n);
  }
  if (total == 0) return "nothing skipped";
  return fmt::format("{} bad records skipped ({})", total, detail);
}

// Expands SRC directories into the files inside them, sorted, split by what they hold.
Status Expand(const std::vector<std::string>& inputs, std::vector<std::string>& traces,
              std::vector<std::string>& routing) {
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (!fs::exists(in, ec)) return Status(ErrorCode::kNotFound, in + ": no such file or directory");
    std::vector<std::string> files;
    if (fs::is_directory(in, ec)) {
      for (fs::directory_iterator it(in, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (it->is_regular_file(e2)) files.push_back(it->path().string());
      }
      if (ec) return Status(ErrorCode::kIo, in + ": cannot list directory: " + ec.message());
      std::sort(files.begin(), files.end());
      bool any = false;
      for (const std::string& f : files) {
        Expected<analyzer::TraceFormat> format = analyzer::DetectFormat(f);
        if (!format) continue;
        if (*format == analyzer::TraceFormat::kKineto || *format == analyzer::TraceFormat::kNsysSqlite) {
          traces.push_back(f);
          any = true;
        } else if (*format == analyzer::TraceFormat::kMegatronRouting) {
          routing.push_back(f);
          any = true;
        }
      }
      if (!any) {
        return Status(ErrorCode::kNotFound,
                      in + ": directory holds no PyTorch profiler JSON, Nsight Systems export or "
                           "routing trace");
      }
    } else {
      Expected<analyzer::TraceFormat> format = analyzer::DetectFormat(in);
      if (format && *format == analyzer::TraceFormat::kMegatronRouting) {
        routing.push_back(in);
      } else {
        traces.push_back(in);  // ImportAuto says what is wrong with anything else
      }
    }
  }
  return Status::Ok();
}

int RunAttach(const ImportArgs& args) {
  if (!args.sources.empty() || !args.output.empty()) {
    return Fail("--into attaches routing to an existing trace; give no SRC and no -o with it");
  }
  if (args.routing.empty()) return Fail("--into needs --routing FILE.jsonl");
  analyzer::ImportOptions options;
  options.progress = !args.quiet;
  for (const std::string& r : args.routing) {
    analyzer::ImportStats stats;
    Status st = analyzer::AttachRoutingToTrace(args.into, r, options, stats);
    if (!st.ok()) return Fail(st.message());
    if (!args.quiet) {
      fmt::print("{}: {} routing rows attached to {} ({})\n", r, stats.records_written, args.into,
                 SkippedText(stats));
    }
  }
  return 0;
}

int RunImport(const ImportArgs& args) {
  if (!args.into.empty()) return RunAttach(args);
  if (args.sources.empty()) return Fail("import: give SRC... -o OUT, or --routing FILE --into TRACE");
  if (args.output.empty()) return Fail("import: -o OUT is required (a .sqlite file or a directory)");

  std::vector<std::string> traces, routing = args.routing;
  if (Status st = Expand(args.sources, traces, routing); !st.ok()) return Fail(st.message());
  if (traces.empty()) {
    return Fail("import: no trace to import (routing traces attach to a trace: --routing FILE --into TRACE)");
  }
  std::error_code ec;
  const bool out_is_dir = fs::is_directory(args.output, ec);
  const bool to_file = !out_is_dir && analyzer::LooksLikeTraceFile(fs::path(args.output).filename().string());
  if (to_file && traces.size() > 1) {
    return Fail(fmt::format("{}: {} inputs need a directory as output (-o DIR)", args.output, traces.size()));
  }
  if (to_file && fs::exists(args.output, ec) && !args.force) {
    return Fail(args.output + ": already exists (use --force to replace it)");
  }
  if (!to_file && !out_is_dir && fs::exists(args.output, ec)) {
    return Fail(args.output + ": exists and is not a directory");
  }
  std::unique_ptr<analyzer::FileTraceSink> sink =
      to_file ? analyzer::FileTraceSink::ToFile(args.output, args.force)
              : analyzer::FileTraceSink::ToDirectory(args.output, args.force);
  analyzer::ImportOptions options;
  options.progress = !args.quiet;
  for (const std::string& src : traces) {
    analyzer::ImportStats stats;
    Expected<analyzer::TraceFormat> format = analyzer::DetectFormat(src);
    Status st = analyzer::ImportAuto(src, *sink, options, stats);
    if (!st.ok()) {
      sink->RemoveAll();
      return Fail(st.message());
    }
    if (!args.quiet) {
      fmt::print("{}: {}, {} records read, {} rows written, {}\n", src,
                 format ? analyzer::TraceFormatName(*format) : "?", stats.records_read,
                 stats.records_written, SkippedText(stats));
    }
  }
  // Routing traces go to the trace of their rank (or to the only trace).
  const auto writers = sink->writers();
  for (const std::string& r : routing) {
    analyzer::ImportStats stats;
    Status st;
    if (writers.size() == 1) {
      st = analyzer::ImportMegatronRouting(r, *writers.front().second, options, stats);
    } else {
      bool any = false;
      for (const auto& [key, writer] : writers) {
        if (!key.rank) continue;
        any = true;
        st = analyzer::ImportMegatronRouting(r, *writer, options, stats, key.rank);
        if (!st.ok()) break;
      }
      if (!any) st = Status(ErrorCode::kInvalidArgument,
                            r + ": the imported traces carry no rank, so routing cannot be matched to them; "
                                "attach it to one trace with --into");
    }
    if (!st.ok()) {
      sink->RemoveAll();
      return Fail(st.message());
    }
    if (!args.quiet) fmt::print("{}: {} routing rows attached ({})\n", r, stats.records_written, SkippedText(stats));
  }
  std::vector<std::string> outputs;
  if (Status st = sink->CloseAll(outputs); !st.ok()) {
    sink->RemoveAll();
    return Fail(st.message());
  }
  if (!args.quiet) {
    for (const std::string& o : outputs) fmt::print("wrote {}\n", o);
  }
  return 0;
}

}  // namespace

void RegisterImportCommand(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "import", "Convert PyTorch profiler JSON / Nsight Systems SQLite into moeprof traces; attach "
                "Megatron-LM routing traces");
  auto args = std::make_shared<ImportArgs>();
  cmd->add_option("sources", args->sources, "Foreign trace files, or directories of them")
      ->type_name("SRC");
  cmd->add_option("-o,--output", args->output, "Output: a .sqlite/.db file (one process) or a directory")
      ->type_name("OUT");
  cmd->add_option("--routing", args->routing, "Megatron-LM routing trace (router_trace_rank*.jsonl)")
      ->type_name("FILE.jsonl");
  cmd->add_option("--into", args->into, "Attach --routing to this existing moeprof trace")
      ->type_name("TRACE.sqlite");
  cmd->add_flag("-f,--force", args->force, "Replace existing output files");
  cmd->add_flag("-q,--quiet", args->quiet, "Print nothing but errors");
  cmd->callback([args, &exit_code] { exit_code = RunImport(*args); });
}

}  // namespace moeprof::cli
