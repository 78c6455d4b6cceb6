#include "wal_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "base/strings.h"

namespace account::sqlite {
namespace {

// The WAL file format (sqlite.org/fileformat2.html, "The Write-Ahead Log").
constexpr size_t kHeaderBytes = 32;
constexpr size_t kFrameHeaderBytes = 24;
constexpr uint32_t kMagicLittleEndian = 0x377f0682;  // Checksums over little-endian words.
constexpr uint32_t kMagicBigEndian = 0x377f0683;
constexpr uint32_t kFormatVersion = 3007000;

uint32_t be32(const unsigned char* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
uint32_t le32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

struct Sum {
  uint32_t s1 = 0;
  uint32_t s2 = 0;
  friend bool operator==(const Sum&, const Sum&) = default;
};

// SQLite's WAL checksum, continued from `sum` over `bytes` (a multiple of 8).
Sum checksum(Sum sum, const unsigned char* data, size_t bytes, bool big_endian) {
  for (size_t i = 0; i < bytes; i += 8) {
    const uint32_t x0 = big_endian ? be32(data + i) : le32(data + i);
    const uint32_t x1 = big_endian ? be32(data + i + 4) : le32(data + i + 4);
    sum.s1 += x0 + sum.s2;
    sum.s2 += x1 + sum.s1;
  }
  return sum;
}

class Wal {
 public:
  Wal(const std::string& bytes, uint32_t page_bytes, bool big_endian)
      : data_(reinterpret_cast<const unsigned char*>(bytes.data())),
        page_bytes_(page_bytes),
        big_endian_(big_endian),
        frames_((bytes.size() - kHeaderBytes) / (kFrameHeaderBytes + page_bytes)),
        salt1_(be32(data_ + 16)),
        salt2_(be32(data_ + 20)) {}

  size_t frames() const { return frames_; }
  const unsigned char* frame(size_t k) const {
    return data_ + kHeaderBytes + k * (kFrameHeaderBytes + page_bytes_);
  }
  uint32_t page(size_t k) const { return be32(frame(k)); }
  bool commit(size_t k) const { return be32(frame(k) + 4) != 0; }
  Sum stored(size_t k) const { return {be32(frame(k) + 16), be32(frame(k) + 20)}; }
  Sum header_sum() const { return {be32(data_ + 24), be32(data_ + 28)}; }
  bool header_ok() const { return checksum({}, data_, 24, big_endian_) == header_sum(); }

  // Whether frame k is one SQLite would accept after a frame whose
  // checksum is `before`: this generation's salts, a page, its checksum.
  bool valid_after(size_t k, Sum before) const {
    const unsigned char* f = frame(k);
    if (be32(f + 8) != salt1_ || be32(f + 12) != salt2_ || page(k) == 0) return false;
    Sum sum = checksum(before, f, 8, big_endian_);
    sum = checksum(sum, f + kFrameHeaderBytes, page_bytes_, big_endian_);
    return sum == stored(k);
  }
  // Frame k checked against the checksum stored in frame k - 1 alone.
  bool valid_locally(size_t k) const { return k > 0 && valid_after(k, stored(k - 1)); }

 private:
  const unsigned char* data_;
  uint32_t page_bytes_;
  bool big_endian_;
  size_t frames_;
  uint32_t salt1_;
  uint32_t salt2_;
};

absl::Status read_file(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::UnavailableError(
        internal::cat("cannot read the WAL file ", path, ": ", std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0) out.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  ::close(fd);
  return absl::OkStatus();
}

}  // namespace

absl::Status check_wal(const std::string& wal_path) {
  std::string bytes;
  if (absl::Status ok = read_file(wal_path, bytes); !ok.ok()) return ok;
  if (bytes.size() < kHeaderBytes) return absl::OkStatus();
  const auto* head = reinterpret_cast<const unsigned char*>(bytes.data());
  const uint32_t magic = be32(head);
  const uint32_t page_bytes = be32(head + 8);
  // A header SQLite would not accept makes it ignore the file: nothing of it
  // is recovered, and nothing here can say which frames were current.
  if ((magic != kMagicLittleEndian && magic != kMagicBigEndian) ||
      be32(head + 4) != kFormatVersion || page_bytes < 512 || page_bytes > 65'536 ||
      (page_bytes & (page_bytes - 1)) != 0) {
    return absl::OkStatus();
  }
  const Wal wal(bytes, page_bytes, magic == kMagicBigEndian);
  if (!wal.header_ok()) return absl::OkStatus();
  size_t bad = wal.frames();
  Sum sum = wal.header_sum();
  for (size_t k = 0; k < wal.frames(); ++k) {
    if (!wal.valid_after(k, sum)) {
      bad = k;
      break;
    }
    sum = wal.stored(k);
  }
  for (size_t c = bad + 1; c + 1 < wal.frames(); ++c) {
    if (!wal.commit(c) || !wal.valid_locally(c) || !wal.valid_locally(c + 1)) continue;
    return absl::DataLossError(internal::cat(
        "the WAL file ", wal_path, " is damaged at frame ", bad + 1, " (database page ",
        wal.page(bad), ", offset ", kHeaderBytes + bad * (kFrameHeaderBytes + page_bytes),
        "), and committed transactions follow it (a commit at frame ", c + 1,
        "): SQLite's recovery would stop at the damage and drop them; refusing to open "
        "(restore the database and its WAL from a copy)"));
  }
  return absl::OkStatus();
}

}  // namespace account::sqlite
