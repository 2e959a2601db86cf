#include "tests/support/fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace minsheng::test {

namespace {

std::atomic<bool> g_armed{false};
std::atomic<bool> g_sticky{false};
std::atomic<std::uint64_t> g_failAt{0};
std::atomic<std::uint64_t> g_calls{0};
std::atomic<int> g_writeError{SQLITE_FULL};
std::atomic<int> g_firstFailed{0};

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};
sqlite3_io_methods g_methods{};

/// Our file object: the sqlite3_file header SQLite sees, followed (in the same allocation of
/// szOsFile bytes) by the real unix file object.
struct FaultFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* realOf(sqlite3_file* f) {
    return reinterpret_cast<FaultFile*>(f)->real;
}

/// True if this counted call must fail.
bool shouldFail(FaultVfs::Op op) {
    if (!g_armed.load())
        return false;
    std::uint64_t n = ++g_calls;
    std::uint64_t at = g_failAt.load();
    if (n == at || (g_sticky.load() && n > at)) {
        int none = 0;
        g_firstFailed.compare_exchange_strong(none, static_cast<int>(op));
        return true;
    }
    return false;
}

int xClose(sqlite3_file* f) {
    sqlite3_file* r = realOf(f);
    int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
    f->pMethods = nullptr;
    return rc;
}
int xRead(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
    return realOf(f)->pMethods->xRead(realOf(f), p, n, off);
}
int xWrite(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
    if (shouldFail(FaultVfs::Op::Write))
        return g_writeError.load();
    return realOf(f)->pMethods->xWrite(realOf(f), p, n, off);
}
int xTruncate(sqlite3_file* f, sqlite3_int64 size) {
    if (shouldFail(FaultVfs::Op::Truncate))
        return SQLITE_IOERR_TRUNCATE;
    return realOf(f)->pMethods->xTruncate(realOf(f), size);
}
int xSync(sqlite3_file* f, int flags) {
    if (shouldFail(FaultVfs::Op::Sync))
        return SQLITE_IOERR_FSYNC;
    return realOf(f)->pMethods->xSync(realOf(f), flags);
}
int xFileSize(sqlite3_file* f, sqlite3_int64* size) {
    return realOf(f)->pMethods->xFileSize(realOf(f), size);
}
int xLock(sqlite3_file* f, int l) {
    return realOf(f)->pMethods->xLock(realOf(f), l);
}
int xUnlock(sqlite3_file* f, int l) {
    return realOf(f)->pMethods->xUnlock(realOf(f), l);
}
int xCheckReservedLock(sqlite3_file* f, int* out) {
    return realOf(f)->pMethods->xCheckReservedLock(realOf(f), out);
}
int xFileControl(sqlite3_file* f, int op, void* arg) {
    return realOf(f)->pMethods->xFileControl(realOf(f), op, arg);
}
int xSectorSize(sqlite3_file* f) {
    return realOf(f)->pMethods->xSectorSize(realOf(f));
}
int xDeviceCharacteristics(sqlite3_file* f) {
    return realOf(f)->pMethods->xDeviceCharacteristics(realOf(f));
}
int xShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** pp) {
    return realOf(f)->pMethods->xShmMap(realOf(f), pg, sz, extend, pp);
}
int xShmLock(sqlite3_file* f, int off, int n, int flags) {
    return realOf(f)->pMethods->xShmLock(realOf(f), off, n, flags);
}
void xShmBarrier(sqlite3_file* f) {
    realOf(f)->pMethods->xShmBarrier(realOf(f));
}
int xShmUnmap(sqlite3_file* f, int deleteFlag) {
    return realOf(f)->pMethods->xShmUnmap(realOf(f), deleteFlag);
}
int xFetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** pp) {
    return realOf(f)->pMethods->xFetch(realOf(f), off, amt, pp);
}
int xUnfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
    return realOf(f)->pMethods->xUnfetch(realOf(f), off, p);
}

int vOpen(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* outFlags) {
    auto* ff = reinterpret_cast<FaultFile*>(f);
    ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
    ff->real->pMethods = nullptr;
    int rc = g_real->xOpen(g_real, name, ff->real, flags, outFlags);
    // SQLite calls xClose only if pMethods is set; mirror the real file's state.
    f->pMethods = ff->real->pMethods ? &g_methods : nullptr;
    return rc;
}
int vDelete(sqlite3_vfs*, const char* name, int syncDir) {
    return g_real->xDelete(g_real, name, syncDir);
}
int vAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
    return g_real->xAccess(g_real, name, flags, out);
}
int vFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return g_real->xFullPathname(g_real, name, n, out);
}
void* vDlOpen(sqlite3_vfs*, const char* name) {
    return g_real->xDlOpen(g_real, name);
}
void vDlError(sqlite3_vfs*, int n, char* msg) {
    g_real->xDlError(g_real, n, msg);
}
void (*vDlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
    return g_real->xDlSym(g_real, h, sym);
}
void vDlClose(sqlite3_vfs*, void* h) {
    g_real->xDlClose(g_real, h);
}
int vRandomness(sqlite3_vfs*, int n, char* out) {
    return g_real->xRandomness(g_real, n, out);
}
int vSleep(sqlite3_vfs*, int us) {
    return g_real->xSleep(g_real, us);
}
int vCurrentTime(sqlite3_vfs*, double* t) {
    return g_real->xCurrentTime(g_real, t);
}
int vGetLastError(sqlite3_vfs*, int n, char* msg) {
    return g_real->xGetLastError(g_real, n, msg);
}
int vCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
    return g_real->xCurrentTimeInt64(g_real, t);
}

} // namespace

void FaultVfs::install() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_real = sqlite3_vfs_find("unix");
        if (!g_real || g_real->iVersion < 2)
            throw std::runtime_error("FaultVfs: no usable 'unix' VFS to wrap");
        g_methods.iVersion = 3;
        g_methods.xClose = xClose;
        g_methods.xRead = xRead;
        g_methods.xWrite = xWrite;
        g_methods.xTruncate = xTruncate;
        g_methods.xSync = xSync;
        g_methods.xFileSize = xFileSize;
        g_methods.xLock = xLock;
        g_methods.xUnlock = xUnlock;
        g_methods.xCheckReservedLock = xCheckReservedLock;
        g_methods.xFileControl = xFileControl;
        g_methods.xSectorSize = xSectorSize;
        g_methods.xDeviceCharacteristics = xDeviceCharacteristics;
        g_methods.xShmMap = xShmMap;
        g_methods.xShmLock = xShmLock;
        g_methods.xShmBarrier = xShmBarrier;
        g_methods.xShmUnmap = xShmUnmap;
        g_methods.xFetch = xFetch;
        g_methods.xUnfetch = xUnfetch;

        g_vfs.iVersion = 2; // xSetSystemCall & co. (version 3) are not needed
        g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
        g_vfs.mxPathname = g_real->mxPathname;
        g_vfs.zName = kName;
        g_vfs.xOpen = vOpen;
        g_vfs.xDelete = vDelete;
        g_vfs.xAccess = vAccess;
        g_vfs.xFullPathname = vFullPathname;
        g_vfs.xDlOpen = vDlOpen;
        g_vfs.xDlError = vDlError;
        g_vfs.xDlSym = vDlSym;
        g_vfs.xDlClose = vDlClose;
        g_vfs.xRandomness = vRandomness;
        g_vfs.xSleep = vSleep;
        g_vfs.xCurrentTime = vCurrentTime;
        g_vfs.xGetLastError = vGetLastError;
        g_vfs.xCurrentTimeInt64 = vCurrentTimeInt64;
        if (sqlite3_vfs_register(&g_vfs, 0) != SQLITE_OK)
            throw std::runtime_error("FaultVfs: sqlite3_vfs_register failed");
    });
}

void FaultVfs::arm(std::uint64_t n, int writeError, bool sticky) {
    g_calls = 0;
    g_firstFailed = 0;
    g_failAt = n;
    g_writeError = writeError;
    g_sticky = sticky;
    g_armed = true;
}

void FaultVfs::disarm() {
    g_armed = false;
}
std::uint64_t FaultVfs::calls() {
    return g_calls.load();
}
bool FaultVfs::fired() {
    return g_firstFailed.load() != 0;
}
FaultVfs::Op FaultVfs::firstFailedOp() {
    return static_cast<Op>(g_firstFailed.load());
}

} // namespace minsheng::test
