// Reading a Kineto file into memory for simdjson: plain JSON is read straight into a padded
// buffer; gzip (detected from the magic bytes 1f 8b, never the name) is inflated with zlib into
// one, sized from the gzip trailer's ISIZE hint and grown as needed. Every member of a
// multi-member gzip file is inflated. Damage (truncation, bad CRC, garbage) and sizes over the
// limit are errors that name the file; nothing is half-read silently.
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "kineto_internal.h"

namespace moeprof::analyzer::kineto {
namespace {

constexpr size_t kPadding = 64;  // SIMDJSON_PADDING

std::string Name(std::string_view display_name) { return std::string(display_name); }

bool Allocate(JsonBuffer& buf, size_t capacity) {
  std::unique_ptr<char[]> fresh(new (std::nothrow) char[capacity]);
  if (!fresh) return false;
  if (buf.size > 0) std::memcpy(fresh.get(), buf.data.get(), buf.size);
  buf.data = std::move(fresh);
  buf.capacity = capacity;
  return true;
}

Status TooLarge(std::string_view display_name, const Limits& limits) {
  return Status(ErrorCode::kCorrupt,
                Name(display_name) + ": JSON larger than " +
                    std::to_string(limits.max_json_bytes >> 20) +
                    " MiB, the most the Kineto importer reads (absurd size or gzip bomb)");
}

Expected<JsonBuffer> Inflate(std::string_view display_name, std::string_view gz,
                             const Limits& limits) {
  JsonBuffer buf;
  // ISIZE (last 4 bytes) is the size of the last member mod 2^32: a hint, never trusted beyond
  // a sane multiple of the compressed size.
  size_t hint = gz.size() * 4;
  if (gz.size() >= 18) {
    const auto* t = reinterpret_cast<const unsigned char*>(gz.data() + gz.size() - 4);
    const size_t isize = t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<size_t>(t[3]) << 24);
    if (isize >= gz.size() / 2 && isize <= gz.size() * 1100) hint = isize;
  }
  hint = std::min(hint, limits.max_json_bytes);
  if (!Allocate(buf, hint + kPadding + 1)) {
    return Status(ErrorCode::kInternal, Name(display_name) + ": out of memory inflating gzip");
  }
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status(ErrorCode::kInternal, Name(display_name) + ": zlib inflateInit2 failed");
  }
  size_t in_off = 0;
  Status error;
  bool stream_end = false;
  while (true) {
    if (buf.capacity - kPadding - buf.size == 0) {
      if (buf.size >= limits.max_json_bytes) {
        error = TooLarge(display_name, limits);
        break;
      }
      size_t grow = std::max<size_t>(buf.capacity, 1 << 20);
      size_t want = std::min(buf.size + grow, limits.max_json_bytes + 1) + kPadding;
      if (!Allocate(buf, want)) {
        error = Status(ErrorCode::kInternal, Name(display_name) + ": out of memory inflating gzip");
        break;
      }
    }
    const size_t in_chunk = std::min<size_t>(gz.size() - in_off, 1u << 30);
    const size_t out_chunk = std::min<size_t>(buf.capacity - kPadding - buf.size, 1u << 30);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + in_off));
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = reinterpret_cast<Bytef*>(buf.data.get() + buf.size);
    zs.avail_out = static_cast<uInt>(out_chunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_off += in_chunk - zs.avail_in;
    buf.size += out_chunk - zs.avail_out;
    if (buf.size > limits.max_json_bytes) {
      error = TooLarge(display_name, limits);
      break;
    }
    if (rc == Z_STREAM_END) {
      // Another member may follow (concatenated gzip); trailing zero padding is tolerated.
      size_t rest = in_off;
      while (rest < gz.size() && gz[rest] == '\0') ++rest;
      if (rest >= gz.size()) {
        stream_end = true;
        break;
      }
      if (!IsGzip(gz.substr(rest))) {
        error = Status(ErrorCode::kCorrupt, Name(display_name) + ": " +
                                                std::to_string(gz.size() - rest) +
                                                " bytes of garbage after the gzip stream");
        break;
      }
      in_off = rest;
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // output full: grow and go on
    if (rc == Z_BUF_ERROR || (rc == Z_OK && in_off >= gz.size())) {
      error = Status(ErrorCode::kCorrupt,
                     Name(display_name) + ": truncated gzip stream (ended after " +
                         std::to_string(gz.size()) + " compressed bytes, " +
                         std::to_string(buf.size) + " inflated)");
      break;
    }
    error = Status(ErrorCode::kCorrupt, Name(display_name) + ": damaged gzip data (" +
                                            (zs.msg ? zs.msg : "zlib error " + std::to_string(rc)) +
                                            ") after " + std::to_string(buf.size) +
                                            " inflated bytes");
    break;
  }
  inflateEnd(&zs);
  if (!error.ok()) return error;
  if (!stream_end) {
    return Status(ErrorCode::kCorrupt, Name(display_name) + ": truncated gzip stream");
  }
  std::memset(buf.data.get() + buf.size, 0, buf.capacity - buf.size);
  return buf;
}

}  // namespace

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Expected<JsonBuffer> DecodeInput(std::string_view display_name, std::string_view bytes,
                                 const Limits& limits) {
  if (IsGzip(bytes)) return Inflate(display_name, bytes, limits);
  if (bytes.size() > limits.max_json_bytes) return TooLarge(display_name, limits);
  JsonBuffer buf;
  if (!Allocate(buf, bytes.size() + kPadding)) {
    return Status(ErrorCode::kInternal, Name(display_name) + ": out of memory");
  }
  if (!bytes.empty()) std::memcpy(buf.data.get(), bytes.data(), bytes.size());
  buf.size = bytes.size();
  std::memset(buf.data.get() + buf.size, 0, kPadding);
  return buf;
}

Expected<JsonBuffer> ReadInput(const std::string& path, const Limits& limits) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    const int err = errno;
    return Status(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                  path + ": cannot open: " + std::strerror(err));
  }
  struct Closer {
    std::FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{f};
  if (std::fseek(f, 0, SEEK_END) != 0) return Status(ErrorCode::kIo, path + ": cannot seek");
  const long end = std::ftell(f);
  if (end < 0) return Status(ErrorCode::kIo, path + ": cannot tell its size (not a file?)");
  std::rewind(f);
  const size_t size = static_cast<size_t>(end);
  // Plain JSON larger than the limit is refused before reading; gzip is bounded by inflation.
  unsigned char magic[2] = {0, 0};
  const size_t nmagic = std::fread(magic, 1, 2, f);
  std::rewind(f);
  const bool gz = nmagic == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (!gz && size > limits.max_json_bytes) return TooLarge(path, limits);
  JsonBuffer raw;
  if (!Allocate(raw, size + kPadding)) return Status(ErrorCode::kInternal, path + ": out of memory");
  size_t got = 0;
  while (got < size) {
    const size_t n = std::fread(raw.data.get() + got, 1, size - got, f);
    if (n == 0) break;
    got += n;
  }
  if (std::ferror(f)) return Status(ErrorCode::kIo, path + ": read error: " + std::strerror(errno));
  raw.size = got;  // a file that shrank while read: parse what is there
  std::memset(raw.data.get() + raw.size, 0, raw.capacity - raw.size);
  if (!gz) return raw;
  return Inflate(path, raw.view(), limits);
}

}  // namespace moeprof::analyzer::kineto
