#include "checksum_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

#include "base/strings.h"

namespace account::sqlite {
namespace {

constexpr const char* kVfsName = "account-checksum";

// The reserved-bytes field of the database header.
constexpr int kReserveOffset = 20;
constexpr int kHeaderBytes = 100;
// Database pages are 512 to 65,536 bytes, a power of two.
constexpr int kPageBytesMin = 512;
constexpr int kPageBytesMax = 65'536;

thread_local std::string last_fault;

// A database file opened through the shim: its own methods, then the file
// of the VFS below (sqlite3_vfs::szOsFile bytes), which the shim calls.
struct ChecksumFile {
  sqlite3_file base;
  const char* name;
  // Whether the file's header reserves the 8 bytes: only then are pages
  // checksummed. Set from the header whenever page 1 is read or written.
  bool checksummed;
};

sqlite3_vfs* below(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
sqlite3_file* below(sqlite3_file* file) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<ChecksumFile*>(file) + 1);
}
ChecksumFile* self(sqlite3_file* file) { return reinterpret_cast<ChecksumFile*>(file); }

uint32_t load_le32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
void store_le32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

bool is_page(int bytes) {
  return bytes >= kPageBytesMin && bytes <= kPageBytesMax && (bytes & (bytes - 1)) == 0;
}

// Page 1 begins with the header: its reserved-bytes field says whether the
// file is checksummed (it can grow, never shrink, so this only turns on).
void note_header(ChecksumFile* f, const void* data, int bytes, sqlite3_int64 offset) {
  if (offset != 0 || bytes < kHeaderBytes) return;
  const auto* d = static_cast<const unsigned char*>(data);
  if (std::memcmp(d, "SQLite format 3", 16) != 0) return;
  f->checksummed = d[kReserveOffset] == kChecksumBytes;
}

int shim_close(sqlite3_file* file) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xClose(inner);
}

int shim_read(sqlite3_file* file, void* data, int bytes, sqlite3_int64 offset) {
  ChecksumFile* f = self(file);
  sqlite3_file* inner = below(file);
  const int rc = inner->pMethods->xRead(inner, data, bytes, offset);
  if (rc != SQLITE_OK) return rc;
  note_header(f, data, bytes, offset);
  if (!f->checksummed || !is_page(bytes)) return rc;
  unsigned char sum[kChecksumBytes];
  const auto* page = static_cast<const unsigned char*>(data);
  page_checksum(page, static_cast<size_t>(bytes), sum);
  if (std::memcmp(page + bytes - kChecksumBytes, sum, kChecksumBytes) == 0) return rc;
  last_fault = internal::cat("page ", offset / bytes + 1, " (offset ", offset, ") of ", f->name);
  sqlite3_log(SQLITE_IOERR_DATA, "checksum fault on %s", last_fault.c_str());
  return SQLITE_IOERR_DATA;
}

int shim_write(sqlite3_file* file, const void* data, int bytes, sqlite3_int64 offset) {
  ChecksumFile* f = self(file);
  sqlite3_file* inner = below(file);
  note_header(f, data, bytes, offset);
  if (f->checksummed && is_page(bytes)) {
    // The pager's own page buffer: the reserved bytes at its end are ours.
    auto* page = static_cast<unsigned char*>(const_cast<void*>(data));
    page_checksum(page, static_cast<size_t>(bytes), page + bytes - kChecksumBytes);
  }
  return inner->pMethods->xWrite(inner, data, bytes, offset);
}

int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xTruncate(inner, size);
}
int shim_sync(sqlite3_file* file, int flags) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xSync(inner, flags);
}
int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xFileSize(inner, size);
}
int shim_lock(sqlite3_file* file, int level) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xLock(inner, level);
}
int shim_unlock(sqlite3_file* file, int level) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xUnlock(inner, level);
}
int shim_check_reserved_lock(sqlite3_file* file, int* out) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xCheckReservedLock(inner, out);
}
int shim_file_control(sqlite3_file* file, int op, void* arg) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xFileControl(inner, op, arg);
}
int shim_sector_size(sqlite3_file* file) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xSectorSize(inner);
}
int shim_device_characteristics(sqlite3_file* file) {
  sqlite3_file* inner = below(file);
  int characteristics = inner->pMethods->xDeviceCharacteristics(inner);
#ifdef SQLITE_IOCAP_SUBPAGE_READ
  // Newer SQLite reads parts of pages where the VFS allows it; a part has no
  // checksum of its own, so whole pages only.
  characteristics &= ~SQLITE_IOCAP_SUBPAGE_READ;
#endif
  return characteristics;
}
int shim_shm_map(sqlite3_file* file, int region, int bytes, int extend, void volatile** out) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xShmMap(inner, region, bytes, extend, out);
}
int shim_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xShmLock(inner, offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* file) {
  sqlite3_file* inner = below(file);
  inner->pMethods->xShmBarrier(inner);
}
int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
  sqlite3_file* inner = below(file);
  return inner->pMethods->xShmUnmap(inner, delete_flag);
}
// No memory-mapped pages: each would bypass the check in shim_read().
int shim_fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}
int shim_unfetch(sqlite3_file*, sqlite3_int64, void*) { return SQLITE_OK; }

const sqlite3_io_methods kMethods = {
    3,                                  // iVersion: shared memory and fetch
    shim_close,       shim_read,        shim_write,         shim_truncate,
    shim_sync,        shim_file_size,   shim_lock,          shim_unlock,
    shim_check_reserved_lock,           shim_file_control,  shim_sector_size,
    shim_device_characteristics,        shim_shm_map,       shim_shm_lock,
    shim_shm_barrier, shim_shm_unmap,   shim_fetch,         shim_unfetch,
};

int shim_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* next = below(vfs);
  if ((flags & SQLITE_OPEN_MAIN_DB) == 0) return next->xOpen(next, name, file, flags, out_flags);
  ChecksumFile* f = self(file);
  f->name = name;
  f->checksummed = false;
  const int rc = next->xOpen(next, name, below(file), flags, out_flags);
  // SQLite calls xClose only on a file whose pMethods is set.
  file->pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}

// Everything else is the VFS below's.
int shim_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return below(vfs)->xDelete(below(vfs), name, sync_dir);
}
int shim_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return below(vfs)->xAccess(below(vfs), name, flags, out);
}
int shim_full_pathname(sqlite3_vfs* vfs, const char* name, int bytes, char* out) {
  return below(vfs)->xFullPathname(below(vfs), name, bytes, out);
}
void* shim_dl_open(sqlite3_vfs* vfs, const char* name) {
  return below(vfs)->xDlOpen(below(vfs), name);
}
void shim_dl_error(sqlite3_vfs* vfs, int bytes, char* out) {
  below(vfs)->xDlError(below(vfs), bytes, out);
}
void (*shim_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return below(vfs)->xDlSym(below(vfs), handle, symbol);
}
void shim_dl_close(sqlite3_vfs* vfs, void* handle) { below(vfs)->xDlClose(below(vfs), handle); }
int shim_randomness(sqlite3_vfs* vfs, int bytes, char* out) {
  return below(vfs)->xRandomness(below(vfs), bytes, out);
}
int shim_sleep(sqlite3_vfs* vfs, int microseconds) {
  return below(vfs)->xSleep(below(vfs), microseconds);
}
int shim_current_time(sqlite3_vfs* vfs, double* out) {
  return below(vfs)->xCurrentTime(below(vfs), out);
}
int shim_get_last_error(sqlite3_vfs* vfs, int bytes, char* out) {
  return below(vfs)->xGetLastError(below(vfs), bytes, out);
}
int shim_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return below(vfs)->xCurrentTimeInt64(below(vfs), out);
}
int shim_set_system_call(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
  return below(vfs)->xSetSystemCall(below(vfs), name, call);
}
sqlite3_syscall_ptr shim_get_system_call(sqlite3_vfs* vfs, const char* name) {
  return below(vfs)->xGetSystemCall(below(vfs), name);
}
const char* shim_next_system_call(sqlite3_vfs* vfs, const char* name) {
  return below(vfs)->xNextSystemCall(below(vfs), name);
}

sqlite3_vfs make_vfs(sqlite3_vfs* next) {
  sqlite3_vfs vfs{};
  // Version 3 (system calls): the unix VFS's, which the methods above need.
  vfs.iVersion = 3;
  vfs.szOsFile = static_cast<int>(sizeof(ChecksumFile)) + next->szOsFile;
  vfs.mxPathname = next->mxPathname;
  vfs.zName = kVfsName;
  vfs.pAppData = next;
  vfs.xOpen = shim_open;
  vfs.xDelete = shim_delete;
  vfs.xAccess = shim_access;
  vfs.xFullPathname = shim_full_pathname;
  vfs.xDlOpen = shim_dl_open;
  vfs.xDlError = shim_dl_error;
  vfs.xDlSym = shim_dl_sym;
  vfs.xDlClose = shim_dl_close;
  vfs.xRandomness = shim_randomness;
  vfs.xSleep = shim_sleep;
  vfs.xCurrentTime = shim_current_time;
  vfs.xGetLastError = shim_get_last_error;
  vfs.xCurrentTimeInt64 = shim_current_time_int64;
  vfs.xSetSystemCall = shim_set_system_call;
  vfs.xGetSystemCall = shim_get_system_call;
  vfs.xNextSystemCall = shim_next_system_call;
  return vfs;
}

}  // namespace

void page_checksum(const unsigned char* data, size_t bytes, unsigned char out[kChecksumBytes]) {
  // Two running sums, each feeding the other, over pairs of words: a
  // Fletcher-style checksum that a flipped bit, a swapped pair of words or a
  // zeroed run of the page all change.
  uint32_t s1 = 0;
  uint32_t s2 = 0;
  const size_t end = bytes - kChecksumBytes;
  for (size_t i = 0; i < end; i += 8) {
    s1 += load_le32(data + i) + s2;
    s2 += load_le32(data + i + 4) + s1;
  }
  store_le32(out, s1);
  store_le32(out + 4, s2);
}

std::string take_checksum_fault() {
  std::string out;
  out.swap(last_fault);
  return out;
}

const char* checksum_vfs() {
  static std::once_flag once;
  // Lives for the process: SQLite keeps a pointer to it once registered.
  static sqlite3_vfs vfs;
  std::call_once(once, [] {
    sqlite3_vfs* next = sqlite3_vfs_find(nullptr);
    if (next == nullptr || next->iVersion < 3) return;  // Not registered: opens fail, named.
    vfs = make_vfs(next);
    sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  });
  return kVfsName;
}

}  // namespace account::sqlite
