// The JSON walk: simdjson on-demand over the whole (padded) buffer, one forward pass, with the
// error-code API only. The top level is either an object (current Kineto: traceEvents plus
// deviceProperties, distributedInfo, baseTimeNanoseconds, ...) or a bare array of events (2021-era
// files and plain Chrome traces). Each event's fields are read in whatever order they come (args
// may precede cat), into a scratch struct of the few fields the mapping uses; everything else
// (operator inputs, stacks, python frames) is skipped unread. Timestamps are converted from their
// number TEXT (MicrosTextToNanos), never through a double.
#include "kineto_walk.h"

#include <simdjson.h>
#include <unistd.h>

#include <array>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "kineto_nccl.h"

namespace moeprof::analyzer::kineto {
namespace {

using simdjson::error_code;
namespace od = simdjson::ondemand;

bool IsTypeError(error_code e) {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_ERROR ||
         e == simdjson::NUMBER_OUT_OF_RANGE;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Integer from a decimal text: "123", "-4", "25.0" (integral floats), "1e3".
std::optional<int64_t> IntFromText(std::string_view t) {
  t = Trim(t);
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc() && p == t.data() + t.size()) return v;
  // Not a plain integer: accept an integral decimal (value x 1000 must be a multiple of 1000).
  const auto ns = MicrosTextToNanos(t);
  if (ns && *ns % 1000 == 0) return *ns / 1000;
  return std::nullopt;
}

// Thread/stream ids appear as numbers, numeric strings ("3340707648") or "stream 7".
std::optional<int64_t> IdFromString(std::string_view s) {
  if (s.rfind("stream ", 0) == 0) s.remove_prefix(7);
  s = Trim(s);
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return v;
  return std::nullopt;
}

// A key's text without unescaping when it has no backslash (the common case), else unescaped.
simdjson::simdjson_result<std::string_view> KeyOf(od::field& f) {
  const char* p = f.key().raw();
  const char* q = p;
  while (*q != '"' && *q != '\\') ++q;  // the key token is a complete string (stage 1 checked)
  if (*q == '"') return std::string_view(p, static_cast<size_t>(q - p));
  return f.unescaped_key();
}

enum class Cat : uint8_t {
  kUnknown,
  kKernel,
  kMemcpy,
  kMemset,
  kRuntime,
  kDriver,
  kSync,
  kUserAnnotation,
  kGpuUserAnnotation,
  kCpuOp,
  kPythonFunction,
  kOverhead,
  kFlow,
  kIgnored,
};

Cat CategoryOf(std::string_view c) {
  switch (c.size()) {
    case 5:
      if (c == "async") return Cat::kFlow;  // 2021: ph s/f, name "launch"
      break;
    case 4:
      if (c == "ac2g") return Cat::kFlow;
      break;
    case 6:
      if (c == "kernel" || c == "Kernel") return Cat::kKernel;
      if (c == "Memcpy" || c == "Memset") return c[4] == 'p' ? Cat::kMemcpy : Cat::kMemset;
      if (c == "cpu_op" || c == "fwdbwd") return c[0] == 'c' ? Cat::kCpuOp : Cat::kIgnored;
      break;
    case 7:
      if (c == "Runtime") return Cat::kRuntime;
      break;
    case 8:
      if (c == "Operator" || c == "operator") return Cat::kCpuOp;
      if (c == "overhead" || c == "Overhead") return Cat::kOverhead;
      break;
    case 9:
      if (c == "cuda_sync") return Cat::kSync;
      break;
    case 10:
      if (c == "gpu_memcpy" || c == "gpu_memset") return c[7] == 'c' ? Cat::kMemcpy : Cat::kMemset;
      if (c == "cuda_event") return Cat::kIgnored;
      break;
    case 11:
      if (c == "cuda_driver") return Cat::kDriver;
      break;
    case 12:
      if (c == "cuda_runtime") return Cat::kRuntime;
      break;
    case 15:
      if (c == "user_annotation") return Cat::kUserAnnotation;
      if (c == "python_function") return Cat::kPythonFunction;
      break;
    case 16:
      if (c == "async_cpu_to_gpu") return Cat::kFlow;  // 2022-era name of ac2g
      break;
    case 19:
      if (c == "gpu_user_annotation") return Cat::kGpuUserAnnotation;
      break;
    default:
      break;
  }
  return Cat::kUnknown;
}

int64_t SyncTypeOf(std::string_view kind) {
  if (kind == "Event Sync") return 1;
  if (kind == "Stream Wait Event") return 2;
  if (kind == "Stream Sync") return 3;
  if (kind == "Context Sync") return 4;
  return 0;
}

int64_t OverheadKindOf(std::string_view name) {
  // CUpti_ActivityOverheadKind values (FORMAT.md); Kineto names them in words.
  if (name.find("ompiler") != std::string_view::npos) return 1;
  if (name.find("Buffer") != std::string_view::npos || name.find("lush") != std::string_view::npos)
    return 1 << 16;
  if (name.find("nstrumentation") != std::string_view::npos) return 2 << 16;
  if (name.find("esource") != std::string_view::npos) return 3 << 16;
  return 0;
}

// Fields of one event that the mapping may use.
struct Scratch {
  std::string_view ph, cat, name, bp;
  std::optional<int64_t> pid, tid, ts, dur, id;
  bool pid_is_text = false;
  std::string_view bad;  // first field present with an unusable type/value
  // args
  std::optional<int64_t> correlation, external_id, stream, device, context, registers, shared_mem,
      bytes, cbid, graph, graph_node, wait_event;
  int32_t grid[3] = {0, 0, 0}, block[3] = {0, 0, 0};
  std::string_view sync_kind, arg_name, arg_labels;
  CommArgs comm;
  const char* location = nullptr;  // for progress

  void Reset() { *this = Scratch(); }
};

class Walker {
 public:
  Walker(std::string_view display_name, const JsonBuffer& json, const Limits& limits,
         const ImportOptions& options, Model& model)
      : name_(display_name), json_(json), limits_(limits), model_(model) {
    progress_ = options.progress && isatty(STDERR_FILENO) == 1;
  }

  Status Run() {
    od::parser parser;
    if (auto e = parser.allocate(std::max<size_t>(json_.size, 64), limits_.max_depth)) {
      return Status(ErrorCode::kInternal,
                    Name() + ": cannot allocate the JSON parser: " + simdjson::error_message(e));
    }
    if (const size_t at = FindTooDeep(json_.view(), limits_.max_depth); at != std::string_view::npos) {
      return Status(ErrorCode::kCorrupt, Name() + ": JSON nested deeper than " +
                                             std::to_string(limits_.max_depth) + " levels near byte " +
                                             std::to_string(at));
    }
    od::document doc;
    if (auto e = parser.iterate(json_.data.get(), json_.size, json_.capacity).get(doc)) {
      return Fatal(e, nullptr);
    }
    doc_ = &doc;
    od::json_type type;
    if (auto e = doc.type().get(type)) {
      if (json_.size == 0 || Trim(json_.view()).empty()) {
        return Status(ErrorCode::kNotATrace, Name() + ": empty file, not a Kineto trace");
      }
      return Fatal(e, nullptr);
    }
    Status st;
    if (type == od::json_type::array) {
      od::array events;
      if (auto e = doc.get_array().get(events)) return Fatal(e, nullptr);
      st = WalkEvents(events);
      saw_events_ = true;
    } else if (type == od::json_type::object) {
      od::object top;
      if (auto e = doc.get_object().get(top)) return Fatal(e, nullptr);
      st = WalkTop(top);
    } else {
      return Status(ErrorCode::kNotATrace,
                    Name() + ": JSON top level is not an object or array, not a Kineto trace");
    }
    if (!st.ok()) return st;
    if (!saw_events_) {
      return Status(ErrorCode::kNotATrace,
                    Name() + ": JSON object without a \"traceEvents\" array, not a Kineto trace");
    }
    if (progress_) {
      std::fprintf(stderr, "\r%s: read %lld events\n", Name().c_str(),
                   static_cast<long long>(model_.events_read));
    }
    return Status::Ok();
  }

 private:
  std::string Name() const { return std::string(name_); }

  Status Fatal(error_code e, const char* where) {
    std::string msg = Name() + ": ";
    if (e == simdjson::DEPTH_ERROR) {
      msg += "JSON nested deeper than " + std::to_string(limits_.max_depth) + " levels";
    } else if (e == simdjson::UTF8_ERROR) {
      msg += "invalid UTF-8 in JSON text";
    } else if (e == simdjson::EMPTY) {
      return Status(ErrorCode::kNotATrace, Name() + ": empty file, not a Kineto trace");
    } else if (e == simdjson::CAPACITY) {
      msg += "JSON too large for the parser";
    } else if (IsTypeError(e)) {
      msg += "unexpected JSON type (" + std::string(simdjson::error_message(e)) + ")";
    } else {
      msg += "invalid or truncated JSON (" + std::string(simdjson::error_message(e)) + ")";
    }
    if (where != nullptr && where >= json_.data.get() && where <= json_.data.get() + json_.size) {
      msg += " near byte " + std::to_string(where - json_.data.get());
    }
    return Status(ErrorCode::kCorrupt, msg);
  }

  // A non-type error inside a value is fatal (the structure is broken); type errors are not.
  bool Check(error_code e) {
    if (e == simdjson::SUCCESS || IsTypeError(e)) return e == simdjson::SUCCESS;
    if (fatal_ == simdjson::SUCCESS) fatal_ = e;
    return false;
  }

  // Reads an integer-valued number (or integral float); numeric strings when allow_text.
  enum class Read { kOk, kWrong, kFatal };
  Read ReadInt(od::value& v, std::optional<int64_t>& out, bool allow_text = false) {
    od::json_type t;
    if (!Check(v.type().get(t))) return fatal_ ? Read::kFatal : Read::kWrong;
    if (t == od::json_type::number) {
      std::string_view tok;
      tok = v.raw_json_token();
      out = IntFromText(tok);
      return out ? Read::kOk : Read::kWrong;
    }
    if (t == od::json_type::string && allow_text) {
      std::string_view s;
      if (!Check(v.get_string().get(s))) return fatal_ ? Read::kFatal : Read::kWrong;
      out = IdFromString(s);
      return out ? Read::kOk : Read::kWrong;
    }
    if (t == od::json_type::null) return Read::kOk;  // null: absent
    return Read::kWrong;
  }

  Read ReadString(od::value& v, std::string_view& out) {
    od::json_type t;
    if (!Check(v.type().get(t))) return fatal_ ? Read::kFatal : Read::kWrong;
    if (t != od::json_type::string) return t == od::json_type::null ? Read::kOk : Read::kWrong;
    if (!Check(v.get_string().get(out))) return fatal_ ? Read::kFatal : Read::kWrong;
    return Read::kOk;
  }

  // A time (µs number text -> ns). Strings are wrong types (Kineto never quotes times).
  Read ReadTime(od::value& v, std::optional<int64_t>& out, const char** location) {
    od::json_type t;
    if (!Check(v.type().get(t))) return fatal_ ? Read::kFatal : Read::kWrong;
    time_range_error_ = false;
    if (t != od::json_type::number) return Read::kWrong;
    std::string_view tok;
    tok = v.raw_json_token();
    if (location) *location = tok.data();
    out = MicrosTextToNanos(tok);
    time_range_error_ = !out;
    return out ? Read::kOk : Read::kWrong;
  }

  // A list of integers given as a JSON array or as its text ("[0, 1, 2]").
  Read ReadIntList(od::value& v, std::vector<int64_t>& out) {
    od::json_type t;
    if (!Check(v.type().get(t))) return fatal_ ? Read::kFatal : Read::kWrong;
    if (t == od::json_type::string) {
      std::string_view s;
      if (!Check(v.get_string().get(s))) return fatal_ ? Read::kFatal : Read::kWrong;
      return ParseIntListText(s, out) ? Read::kOk : Read::kWrong;
    }
    if (t != od::json_type::array) return Read::kWrong;
    od::array a;
    if (!Check(v.get_array().get(a))) return fatal_ ? Read::kFatal : Read::kWrong;
    for (auto item : a) {
      od::value iv;
      if (!Check(std::move(item).get(iv))) return fatal_ ? Read::kFatal : Read::kWrong;
      std::optional<int64_t> x;
      const Read r = ReadInt(iv, x);
      if (r == Read::kFatal) return r;
      if (r == Read::kWrong || !x) return Read::kWrong;
      out.push_back(*x);
    }
    return Read::kOk;
  }

  void Bad(Scratch& s, std::string_view field) {
    if (s.bad.empty()) s.bad = field;
  }

  Status WalkTop(od::object& top) {
    for (auto fr : top) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return Fatal(e, Location(top));
      std::string_view key;
      if (auto e = KeyOf(f).get(key)) return Fatal(e, Location(top));
      od::value v = f.value();
      Status st;
      if (key == "traceEvents") {
        od::array events;
        if (auto e = v.get_array().get(events)) {
          if (IsTypeError(e)) {
            return Status(ErrorCode::kNotATrace, Name() + ": \"traceEvents\" is not an array");
          }
          return Fatal(e, Location(top));
        }
        st = WalkEvents(events);
        saw_events_ = true;
      } else if (key == "deviceProperties") {
        st = WalkDevices(v);
      } else if (key == "distributedInfo") {
        st = WalkDistributed(v);
      } else if (key == "baseTimeNanoseconds") {
        std::optional<int64_t> base;
        if (ReadInt(v, base) == Read::kOk && base) model_.base_time_ns = base;
      } else if (key == "schemaVersion") {
        model_.schema_version = ScalarText(v);
      } else if (key == "traceName") {
        model_.trace_name = ScalarText(v);
      } else if (key == "host_name" || key == "hostname") {
        model_.host = ScalarText(v);
      } else if (key == "cuda_runtime_version") {
        model_.cuda_runtime_version = ScalarText(v);
      } else if (key == "cuda_driver_version") {
        model_.cuda_driver_version = ScalarText(v);
      } else if (key == "cupti_version") {
        model_.cupti_version = ScalarText(v);
      }
      if (!st.ok()) return st;
      if (fatal_) return Fatal(fatal_, Location(top));
    }
    return Status::Ok();
  }

  template <typename T>
  const char* Location(T& /*it*/) {
    const char* p = nullptr;
    if (doc_ == nullptr || doc_->current_location().get(p)) return nullptr;
    return p;
  }

  // A scalar's text: strings unescaped, numbers as written; other types give "".
  std::string ScalarText(od::value& v) {
    od::json_type t;
    if (!Check(v.type().get(t))) return {};
    std::string_view s;
    if (t == od::json_type::string) {
      if (!Check(v.get_string().get(s))) return {};
      return std::string(s);
    }
    if (t == od::json_type::number || t == od::json_type::boolean) {
      s = v.raw_json_token();
      return std::string(Trim(s));
    }
    return {};
  }

  Status WalkDevices(od::value& v) {
    od::array a;
    if (auto e = v.get_array().get(a)) {
      if (IsTypeError(e)) {
        model_.skipped["deviceProperties is not an array"]++;
        return Status::Ok();
      }
      return Fatal(e, nullptr);
    }
    for (auto item : a) {
      od::object o;
      if (auto e = item.get_object().get(o)) {
        if (!Check(e)) {
          if (fatal_) return Fatal(fatal_, nullptr);
          model_.skipped["deviceProperties entry is not an object"]++;
          continue;
        }
      }
      DeviceProps d;
      bool has_id = false;
      for (auto fr : o) {
        od::field f;
        if (auto e = std::move(fr).get(f)) return Fatal(e, nullptr);
        std::string_view key;
        if (auto e = KeyOf(f).get(key)) return Fatal(e, nullptr);
        od::value fv = f.value();
        std::optional<int64_t> x;
        if (key == "id") {
          if (ReadInt(fv, x) == Read::kOk && x) {
            d.id = *x;
            has_id = true;
          }
        } else if (key == "name") {
          d.name = ScalarText(fv);
        } else if (key == "totalGlobalMem") {
          if (ReadInt(fv, x) == Read::kOk) d.memory_bytes = x;
        } else if (key == "computeMajor") {
          if (ReadInt(fv, x) == Read::kOk) d.cc_major = x;
        } else if (key == "computeMinor") {
          if (ReadInt(fv, x) == Read::kOk) d.cc_minor = x;
        } else if (key == "numSms") {
          if (ReadInt(fv, x) == Read::kOk) d.sm_count = x;
        }
        if (fatal_) return Fatal(fatal_, nullptr);
      }
      if (has_id) {
        model_.devices.push_back(std::move(d));
      } else {
        model_.skipped["deviceProperties entry without id"]++;
      }
    }
    if (fatal_) return Fatal(fatal_, nullptr);
    return Status::Ok();
  }

  Status WalkDistributed(od::value& v) {
    od::object o;
    if (auto e = v.get_object().get(o)) {
      if (IsTypeError(e)) {
        model_.skipped["distributedInfo is not an object"]++;
        return Status::Ok();
      }
      return Fatal(e, nullptr);
    }
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return Fatal(e, nullptr);
      std::string_view key;
      if (auto e = KeyOf(f).get(key)) return Fatal(e, nullptr);
      od::value fv = f.value();
      std::optional<int64_t> x;
      if (key == "rank") {
        if (ReadInt(fv, x, true) == Read::kOk) model_.rank = x;
      } else if (key == "world_size") {
        if (ReadInt(fv, x, true) == Read::kOk) model_.world_size = x;
      } else if (key == "backend") {
        model_.dist_backend = ScalarText(fv);
      } else if (key == "nccl_version") {
        model_.nccl_version = ScalarText(fv);
      } else if (key == "pg_config") {
        od::array a;
        if (auto e = fv.get_array().get(a)) {
          if (!Check(e) && fatal_) return Fatal(fatal_, nullptr);
          continue;
        }
        for (auto item : a) {
          od::object po;
          if (auto e = item.get_object().get(po)) {
            if (!Check(e) && fatal_) return Fatal(fatal_, nullptr);
            continue;
          }
          PgConfig pg;
          for (auto pfr : po) {
            od::field pf;
            if (auto e = std::move(pfr).get(pf)) return Fatal(e, nullptr);
            std::string_view pkey;
            if (auto e = KeyOf(pf).get(pkey)) return Fatal(e, nullptr);
            od::value pv = pf.value();
            if (pkey == "pg_name") {
              pg.name = ScalarText(pv);
            } else if (pkey == "pg_desc") {
              pg.desc = ScalarText(pv);
            } else if (pkey == "pg_size") {
              std::optional<int64_t> size;
              if (ReadInt(pv, size, true) == Read::kOk) pg.size = size;
            } else if (pkey == "ranks") {
              std::vector<int64_t> ranks;
              if (ReadIntList(pv, ranks) == Read::kOk) pg.ranks = std::move(ranks);
            }
            if (fatal_) return Fatal(fatal_, nullptr);
          }
          model_.pg_configs.push_back(std::move(pg));
        }
      }
      if (fatal_) return Fatal(fatal_, nullptr);
    }
    return Status::Ok();
  }

  Status WalkEvents(od::array& events) {
    Scratch s;
    for (auto item : events) {
      od::object ev;
      if (auto e = item.get_object().get(ev)) {
        if (IsTypeError(e)) {
          ++model_.events_read;
          model_.skipped["event is not an object"]++;
          continue;
        }
        return Fatal(e, Location(events));
      }
      s.Reset();
      if (auto e = ReadEvent(ev, s)) return Fatal(e, s.location ? s.location : Location(events));
      ++model_.events_read;
      Map(s);
      if (progress_ && (model_.events_read & 0xFFFF) == 0 && s.location) {
        const double pct = 100.0 * static_cast<double>(s.location - json_.data.get()) /
                           static_cast<double>(std::max<size_t>(json_.size, 1));
        std::fprintf(stderr, "\r%s: reading %3.0f%%", Name().c_str(), pct);
      }
    }
    if (fatal_) return Fatal(fatal_, Location(events));
    return Status::Ok();
  }

  // Reads one event's fields into `s`; returns a fatal (structural) error or SUCCESS.
  error_code ReadEvent(od::object& ev, Scratch& s) {
    for (auto fr : ev) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return e;
      std::string_view key;
      if (auto e = KeyOf(f).get(key)) return e;
      od::value v = f.value();
      Read r = Read::kOk;
      switch (key.size()) {
        case 2:
          if (key == "ph") {
            r = ReadString(v, s.ph);
          } else if (key == "ts") {
            r = ReadTime(v, s.ts, &s.location);
            if (r == Read::kWrong) Bad(s, time_range_error_ ? "ts out of range" : "wrong type for ts");
          } else if (key == "id") {
            r = ReadInt(v, s.id, true);
            if (r == Read::kWrong) s.id.reset();
          } else if (key == "bp") {
            r = ReadString(v, s.bp);
          }
          break;
        case 3:
          if (key == "cat") {
            r = ReadString(v, s.cat);
          } else if (key == "pid") {
            r = ReadInt(v, s.pid, true);
            if (r == Read::kWrong) s.pid_is_text = true;
          } else if (key == "tid") {
            r = ReadInt(v, s.tid, true);
            if (r == Read::kWrong) s.tid.reset();  // e.g. "PyTorch Profiler" on span events
          } else if (key == "dur") {
            r = ReadTime(v, s.dur, nullptr);
            if (r == Read::kWrong) Bad(s, time_range_error_ ? "dur out of range" : "wrong type for dur");
          }
          break;
        case 4:
          if (key == "name") {
            r = ReadString(v, s.name);
            if (r == Read::kWrong) Bad(s, "wrong type for name");
          } else if (key == "args") {
            if (auto e = ReadArgs(v, s)) return e;
          }
          break;
        default:
          break;
      }
      if (r == Read::kFatal) return fatal_;
    }
    return fatal_;
  }

  error_code ReadArgs(od::value& v, Scratch& s) {
    od::object args;
    if (auto e = v.get_object().get(args)) {
      if (IsTypeError(e)) {
        Bad(s, "wrong type for args");
        return simdjson::SUCCESS;
      }
      return e;
    }
    for (auto fr : args) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return e;
      std::string_view key;
      if (auto e = KeyOf(f).get(key)) return e;
      od::value a = f.value();
      Read r = Read::kOk;
      std::string_view text;
      switch (key.size()) {
        case 3:
          if (key == "Seq") r = ReadInt(a, s.comm.seq, true), s.comm.present = true;
          break;
        case 4:
          if (key == "grid" || key == "name") {
            if (key[0] == 'n') {
              r = ReadString(a, s.arg_name);
            } else {
              r = ReadDim3(a, s.grid);
            }
          } else if (key == "cbid") {
            r = ReadInt(a, s.cbid);
          }
          break;
        case 5:
          if (key == "block") {
            r = ReadDim3(a, s.block);
          } else if (key == "bytes") {
            r = ReadInt(a, s.bytes);
            if (r == Read::kWrong) Bad(s, "wrong type for args.bytes");
          } else if (key == "dtype") {
            r = ReadString(a, text);
            s.comm.dtype = std::string(text);
            s.comm.present = true;
          }
          break;
        case 6:
          if (key == "stream") {
            r = ReadInt(a, s.stream, true);
            if (r == Read::kWrong) Bad(s, "wrong type for args.stream");
          } else if (key == "device") {
            r = ReadInt(a, s.device, true);
            if (r == Read::kWrong) Bad(s, "wrong type for args.device");
          } else if (key == "labels") {
            r = ReadString(a, s.arg_labels);
          }
          break;
        case 7:
          if (key == "context") r = ReadInt(a, s.context);
          break;
        case 8:
          if (key == "graph id") r = ReadInt(a, s.graph);
          break;
        case 10:
          if (key == "Group size") r = ReadInt(a, s.comm.group_size, true), s.comm.present = true;
          break;
        case 11:
          if (key == "correlation") {
            r = ReadInt(a, s.correlation, true);
            if (r == Read::kWrong) Bad(s, "wrong type for args.correlation");
          } else if (key == "External id" || key == "external id") {
            r = ReadInt(a, s.external_id, true);
            if (r == Read::kWrong) s.external_id.reset();
          }
          break;
        case 13:
          if (key == "shared memory") {
            r = ReadInt(a, s.shared_mem);
          } else if (key == "graph node id") {
            r = ReadInt(a, s.graph_node);
          } else if (key == "In msg nelems") {
            r = ReadInt(a, s.comm.in_nelems, true);
            s.comm.present = true;
          } else if (key == "In split size") {
            r = ReadIntList(a, s.comm.in_split);
            s.comm.present = true;
          }
          break;
        case 14:
          if (key == "cuda_sync_kind") {
            r = ReadString(a, s.sync_kind);
          } else if (key == "Out msg nelems") {
            r = ReadInt(a, s.comm.out_nelems, true);
            s.comm.present = true;
          } else if (key == "Out split size") {
            r = ReadIntList(a, s.comm.out_split);
            s.comm.present = true;
          }
          break;
        case 15:
          if (key == "Collective name") {
            r = ReadString(a, text);
            s.comm.collective = std::string(text);
            s.comm.present = true;
          }
          break;
        case 18:
          if (key == "Process Group Name") {
            s.comm.pg_name = ScalarText(a);
            s.comm.present = true;
          }
          break;
        case 19:
          if (key == "Process Group Ranks") {
            r = ReadIntList(a, s.comm.pg_ranks);
            s.comm.present = true;
          }
          break;
        case 20:
          if (key == "registers per thread") r = ReadInt(a, s.registers);
          break;
        case 21:
          if (key == "wait_on_cuda_event_id") r = ReadInt(a, s.wait_event);
          break;
        case 25:
          if (key == "Process Group Description") {
            s.comm.pg_desc = ScalarText(a);
            s.comm.present = true;
          }
          break;
        default:
          break;
      }
      if (r == Read::kFatal || fatal_) return fatal_;
    }
    return simdjson::SUCCESS;
  }

  Read ReadDim3(od::value& v, int32_t (&out)[3]) {
    od::json_type t;
    if (!Check(v.type().get(t))) return fatal_ ? Read::kFatal : Read::kWrong;
    if (t != od::json_type::array) return Read::kWrong;
    od::array a;
    if (!Check(v.get_array().get(a))) return fatal_ ? Read::kFatal : Read::kWrong;
    int i = 0;
    for (auto item : a) {
      od::value iv;
      if (!Check(std::move(item).get(iv))) return fatal_ ? Read::kFatal : Read::kWrong;
      std::optional<int64_t> x;
      const Read r = ReadInt(iv, x);
      if (r == Read::kFatal) return r;
      if (i < 3 && x && *x >= 0 && *x <= INT32_MAX) out[i] = static_cast<int32_t>(*x);
      ++i;
    }
    return Read::kOk;
  }

  void Skip(std::string_view reason) { model_.skipped[std::string(reason)]++; }

  // Common checks for interval events; false (and counted) when the record is unusable.
  bool Interval(Scratch& s, std::string_view what) {
    if (!s.bad.empty()) {
      Skip(std::string(what) + ": " + std::string(s.bad));
      return false;
    }
    if (!s.ts) {
      Skip(std::string(what) + ": missing ts");
      return false;
    }
    if (!s.dur) {
      Skip(std::string(what) + ": missing dur");
      return false;
    }
    if (*s.dur < 0) {
      Skip(std::string(what) + ": negative dur");
      return false;
    }
    // ±4e18 ns (±126 years) keeps every difference and end time inside int64.
    constexpr int64_t kMaxTime = 4000000000000000000;
    if (*s.ts > kMaxTime || *s.ts < -kMaxTime || *s.dur > kMaxTime) {
      Skip(std::string(what) + ": time out of range");
      return false;
    }
    return true;
  }

  // GPU-side events: device from args.device or pid, stream from args.stream or tid.
  bool GpuPlace(Scratch& s, std::string_view what, int64_t& device, int64_t& stream) {
    if (s.device) {
      device = *s.device;
    } else if (s.pid) {
      device = *s.pid;
    } else {
      Skip(std::string(what) + ": no device");
      return false;
    }
    if (s.stream) {
      stream = *s.stream;
    } else if (s.tid) {
      stream = *s.tid;
    } else {
      Skip(std::string(what) + ": no stream");
      return false;
    }
    return true;
  }

  bool CpuPlace(Scratch& s, std::string_view what) {
    if (!s.pid || !s.tid) {
      Skip(std::string(what) + (s.pid ? ": no tid" : ": no pid"));
      return false;
    }
    model_.cpu_pid_events[*s.pid]++;
    return true;
  }

  void Map(Scratch& s) {
    if (s.ph == "M") {
      MapMetadata(s);
      return;
    }
    const Cat cat = CategoryOf(s.cat);
    switch (cat) {
      case Cat::kKernel: {
        int64_t device = 0, stream = 0;
        if (!Interval(s, "kernel") || !GpuPlace(s, "kernel", device, stream)) return;
        KernelEv k;
        k.ts = *s.ts;
        k.dur = *s.dur;
        k.device = device;
        k.stream = stream;
        k.context = s.context.value_or(0);
        k.correlation = s.correlation.value_or(0);
        k.external_id = s.external_id.value_or(0);
        k.graph = s.graph.value_or(0);
        k.graph_node = s.graph_node.value_or(0);
        k.name = model_.strings.Intern(s.name);
        for (int i = 0; i < 3; ++i) {
          k.grid[i] = s.grid[i];
          k.block[i] = s.block[i];
        }
        k.registers = static_cast<int32_t>(std::clamp<int64_t>(s.registers.value_or(0), 0, INT32_MAX));
        k.shared_mem = s.shared_mem.value_or(0);
        if (s.comm.present) {
          k.comm = static_cast<int32_t>(model_.comm_args.size());
          model_.comm_args.push_back(std::move(s.comm));
        }
        model_.kernels.push_back(k);
        return;
      }
      case Cat::kMemcpy:
      case Cat::kMemset: {
        const char* what = cat == Cat::kMemcpy ? "gpu_memcpy" : "gpu_memset";
        int64_t device = 0, stream = 0;
        if (!Interval(s, what) || !GpuPlace(s, what, device, stream)) return;
        CopyEv c;
        c.ts = *s.ts;
        c.dur = *s.dur;
        c.device = device;
        c.stream = stream;
        c.context = s.context.value_or(0);
        c.correlation = s.correlation.value_or(0);
        c.bytes = s.bytes.value_or(0);
        c.name = model_.strings.Intern(s.name);
        c.is_memset = cat == Cat::kMemset;
        model_.copies.push_back(c);
        return;
      }
      case Cat::kRuntime:
      case Cat::kDriver: {
        const char* what = cat == Cat::kRuntime ? "cuda_runtime" : "cuda_driver";
        if (!Interval(s, what) || !CpuPlace(s, what)) return;
        ApiEv a;
        a.ts = *s.ts;
        a.dur = *s.dur;
        a.pid = *s.pid;
        a.tid = *s.tid;
        a.correlation = s.correlation.value_or(0);
        a.external_id = s.external_id.value_or(0);
        a.cbid = s.cbid.value_or(0);
        a.name = model_.strings.Intern(s.name);
        a.driver = cat == Cat::kDriver;
        model_.apis.push_back(a);
        return;
      }
      case Cat::kSync: {
        if (!Interval(s, "cuda_sync")) return;
        SyncEv y;
        y.ts = *s.ts;
        y.dur = *s.dur;
        y.device = s.device ? *s.device : s.pid.value_or(-1);
        // -1 and 0xFFFFFFFF mean "no stream" (context and event syncs).
        const std::optional<int64_t> stream = s.stream ? s.stream : s.tid;
        if (stream && *stream >= 0 && *stream != 0xFFFFFFFFll) y.stream = stream;
        y.event = s.wait_event;
        y.type = SyncTypeOf(s.sync_kind.empty() ? s.name : s.sync_kind);
        y.correlation = s.correlation.value_or(0);
        model_.syncs.push_back(y);
        return;
      }
      case Cat::kUserAnnotation:
      case Cat::kCpuOp:
      case Cat::kGpuUserAnnotation: {
        const char* what = cat == Cat::kCpuOp ? "cpu_op"
                           : cat == Cat::kUserAnnotation ? "user_annotation"
                                                          : "gpu_user_annotation";
        if (!Interval(s, what)) return;
        RangeEv r;
        if (cat == Cat::kGpuUserAnnotation) {
          int64_t device = 0, stream = 0;
          if (!GpuPlace(s, what, device, stream)) return;
          r.pid = device;
          r.tid = stream;
          r.kind = RangeKind::kGpuAnnotation;
        } else {
          if (!CpuPlace(s, what)) return;
          r.pid = *s.pid;
          r.tid = *s.tid;
          r.kind = cat == Cat::kCpuOp ? RangeKind::kCpuOp : RangeKind::kUserAnnotation;
        }
        r.ts = *s.ts;
        r.dur = *s.dur;
        r.external_id = s.external_id.value_or(0);
        r.name = model_.strings.Intern(s.name);
        model_.ranges.push_back(r);
        return;
      }
      case Cat::kOverhead: {
        if (!Interval(s, "overhead")) return;
        model_.overheads.push_back({*s.ts, *s.dur, OverheadKindOf(s.name)});
        return;
      }
      case Cat::kFlow: {
        if (s.ph != "s" && s.ph != "f" && s.ph != "t") return;
        if (!s.id || !s.ts || !s.pid || !s.tid) {
          Skip("flow: missing id, ts, pid or tid");
          return;
        }
        model_.flows.push_back({*s.id, *s.pid, *s.tid, *s.ts, s.ph == "s"});
        return;
      }
      case Cat::kPythonFunction:
      case Cat::kIgnored:
      case Cat::kUnknown:
        ++model_.ignored;
        return;
    }
  }

  void MapMetadata(Scratch& s) {
    if (!s.pid) return;
    if (s.name == "process_name" && !s.arg_name.empty()) {
      model_.process_names[*s.pid] = std::string(s.arg_name);
    } else if (s.name == "process_labels" && !s.arg_labels.empty()) {
      model_.process_labels[*s.pid] = std::string(s.arg_labels);
    } else if (s.name == "thread_name" && s.tid && !s.arg_name.empty()) {
      model_.thread_names[{*s.pid, *s.tid}] = std::string(s.arg_name);
    }
  }

  std::string_view name_;
  const JsonBuffer& json_;
  const Limits& limits_;
  Model& model_;
  bool progress_ = false;
  bool saw_events_ = false;
  bool time_range_error_ = false;
  error_code fatal_ = simdjson::SUCCESS;
  od::document* doc_ = nullptr;
};

}  // namespace

// simdjson on-demand checks the depth of containers it enters but skips unread values without
// one, so a file nesting 10^5 arrays inside an ignored argument would pass silently. One scan of
// the brackets outside strings finds the deepest point first (SSE2: 16 bytes per step, looking
// only at quotes, backslashes and brackets); it stops at the first byte past the limit. Returns
// the offset of that byte, or npos.
size_t FindTooDeep(std::string_view text, size_t max_depth) {
  const char* const base = text.data();
  const size_t n = text.size();
  size_t depth = 0;
  bool in_string = false;
  size_t skip_until = 0;  // the byte after a backslash inside a string is not special
  auto visit = [&](size_t pos) -> bool {  // false: too deep
    if (pos < skip_until) return true;
    const char c = base[pos];
    if (in_string) {
      if (c == '\\') {
        skip_until = pos + 2;
      } else if (c == '"') {
        in_string = false;
      }
      return true;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
    return true;
  };
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                open_sq = _mm_set1_epi8('['), close_sq = _mm_set1_epi8(']'),
                open_br = _mm_set1_epi8('{'), close_br = _mm_set1_epi8('}');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
    const __m128i str = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(str));
    if (!in_string) {
      const __m128i br = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open_sq), _mm_cmpeq_epi8(v, close_sq)),
                                      _mm_or_si128(_mm_cmpeq_epi8(v, open_br), _mm_cmpeq_epi8(v, close_br)));
      mask |= static_cast<unsigned>(_mm_movemask_epi8(br));
    }
    while (mask != 0) {
      const size_t pos = i + static_cast<size_t>(__builtin_ctz(mask));
      mask &= mask - 1;
      const bool was_in_string = in_string;
      if (!visit(pos)) return pos;
      if (was_in_string && !in_string) {
        // Left a string mid-block: the brackets after it in this block count again.
        const __m128i br = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, open_sq), _mm_cmpeq_epi8(v, close_sq)),
                                        _mm_or_si128(_mm_cmpeq_epi8(v, open_br), _mm_cmpeq_epi8(v, close_br)));
        const unsigned after = static_cast<unsigned>(_mm_movemask_epi8(br)) & ~((2u << (pos - i)) - 1);
        mask |= after;
      }
    }
  }
#endif
  for (; i < n; ++i) {
    const char c = base[i];
    if (c == '"' || c == '\\' || c == '[' || c == ']' || c == '{' || c == '}') {
      if (!visit(i)) return i;
    }
  }
  return std::string_view::npos;
}

Status WalkJson(std::string_view display_name, const JsonBuffer& json, const Limits& limits,
                const ImportOptions& options, Model& model) {
  Walker walker(display_name, json, limits, options, model);
  return walker.Run();
}

}  // namespace moeprof::analyzer::kineto
