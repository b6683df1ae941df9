// A small streaming JSON writer for machine-readable CLI output (`--json`, later report JSON):
// tracks commas and nesting, escapes strings (UTF-8 passes through, control characters become
// \u00XX), and pretty-prints with two-space indentation. No DOM, so big outputs stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace moeprof::analyzer {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out, bool pretty = true) : out_(out), pretty_(pretty) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Inside an object: the next value's key.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Double(double v);  // non-finite values are written as null (JSON has no NaN)
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Convenience: null when the optional is empty.
  JsonWriter& OptString(const std::optional<std::string>& s);
  JsonWriter& OptInt(const std::optional<int64_t>& v);

  // True when every object and array opened has been closed.
  bool complete() const { return stack_.empty() && wrote_root_; }

 private:
  void BeforeValue();
  void Newline();
  std::string& out_;
  bool pretty_;
  bool wrote_root_ = false;
  bool after_key_ = false;
  struct Level {
    bool is_object;
    bool empty;
  };
  std::vector<Level> stack_;
};

// The JSON string literal for `s`, quotes included.
std::string JsonQuote(std::string_view s);

}  // namespace moeprof::analyzer
