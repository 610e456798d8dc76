/* The one-file binary's launcher: the one-folder build is appended to this small program as one xz stream; it is
 * unpacked once into the user's cache folder and run from there (exec) at every start.
 *
 * A PyInstaller one-file binary unpacks its whole archive into a temporary folder at every start and deletes it at
 * exit (2-3 s of every start); a launcher frozen with PyInstaller carries a Python of its own (15 MB). This one is
 * C with liblzma linked in (about 200 kB): the app it runs is an ordinary one-folder build, unpacked once under a
 * key of its content (the payload's sha256, written at build time). Symlinks and file modes are kept.
 * AIWISPER_BINARY tells the app where the binary itself is (the notes model is looked for beside it).
 *
 * Layout (build/onefile.py writes it): this program, then the payload, then a 40-byte trailer:
 *   u64 payload offset (little-endian), 24 bytes of key (hex, NUL-padded), 8 bytes "AIWPACK1".
 * The payload is an xz stream of records: 1 byte kind ('F' file, 'L' symlink, 'D' folder, 'E' end), u32 mode,
 * u32 path length, the path (relative, no "..", no leading "/"), u64 data length, the data (a symlink's target).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "AIWPACK1"
#define TRAILER 40
#define PROGRAM "aiwisper"

extern char **environ;

static char cache_dir[PATH_MAX];
static char work[PATH_MAX + 16]; /* the folder being unpacked, removed if the unpack fails */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "aiwisper: cannot unpack the program into %s: ", cache_dir);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (work[0]) nftw(work, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    exit(1);
}

/* A relative path that stays inside its folder: no leading "/", no ".." component. */
static int inside(const char *rel) {
    if (rel[0] == '/') return 0;
    for (const char *p = rel; p; p = strchr(p, '/')) {
        if (*p == '/') p++;
        if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) return 0;
    }
    return 1;
}

/* The payload's bytes, decompressed on demand. */
typedef struct {
    FILE *in;
    uint64_t left; /* compressed bytes not read yet */
    lzma_stream xz;
    uint8_t inbuf[1 << 16];
} Reader;

static void read_exact(Reader *r, void *out, size_t n) {
    r->xz.next_out = out;
    r->xz.avail_out = n;
    while (r->xz.avail_out > 0) {
        if (r->xz.avail_in == 0 && r->left > 0) {
            size_t want = r->left < sizeof r->inbuf ? (size_t)r->left : sizeof r->inbuf;
            size_t got = fread(r->inbuf, 1, want, r->in);
            if (got == 0) die("the binary is cut short");
            r->left -= got;
            r->xz.next_in = r->inbuf;
            r->xz.avail_in = got;
        }
        lzma_ret ret = lzma_code(&r->xz, r->left == 0 && r->xz.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
        if (ret == LZMA_STREAM_END && r->xz.avail_out > 0) die("the payload ends early");
        if (ret != LZMA_OK && ret != LZMA_STREAM_END) die("the binary is damaged (xz error %d; download it again)", (int)ret);
    }
}

static uint32_t u32(Reader *r) {
    uint8_t b[4];
    read_exact(r, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t u64(Reader *r) {
    uint64_t lo = u32(r);
    return lo | (uint64_t)u32(r) << 32;
}

static void make_parents(char *path) {
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) die("%s: %s", path, strerror(errno));
        *p = '/';
    }
}

static void unpack(Reader *r, const char *into) {
    static uint8_t buf[1 << 20];
    char rel[PATH_MAX], path[2 * PATH_MAX + 2];
    for (;;) {
        uint8_t kind;
        read_exact(r, &kind, 1);
        if (kind == 'E') return;
        uint32_t mode = u32(r), len = u32(r);
        if (len == 0 || len >= sizeof rel) die("a path in the payload is too long");
        read_exact(r, rel, len);
        rel[len] = '\0';
        if (!inside(rel)) die("a path in the payload leaves its folder: %s", rel);
        uint64_t size = u64(r);
        if ((size_t)snprintf(path, sizeof path, "%s/%s", into, rel) >= sizeof path) die("a path is too long");
        make_parents(path);
        if (kind == 'D') {
            if (mkdir(path, mode & 07777) != 0 && errno != EEXIST) die("%s: %s", path, strerror(errno));
        } else if (kind == 'L') {
            if (size >= sizeof rel) die("a symlink's target is too long");
            char target[PATH_MAX];
            read_exact(r, target, (size_t)size);
            target[size] = '\0';
            if (symlink(target, path) != 0) die("%s: %s", path, strerror(errno));
        } else if (kind == 'F') {
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode & 07777 ? mode & 07777 : 0644);
            if (fd < 0) die("%s: %s", path, strerror(errno));
            while (size > 0) {
                size_t n = size < sizeof buf ? (size_t)size : sizeof buf;
                read_exact(r, buf, n);
                for (size_t done = 0; done < n;) {
                    ssize_t w = write(fd, buf + done, n - done);
                    if (w < 0) die("%s: %s", path, strerror(errno));
                    done += (size_t)w;
                }
                size -= n;
            }
            if (fchmod(fd, mode & 07777 ? mode & 07777 : 0644) != 0 || close(fd) != 0)
                die("%s: %s", path, strerror(errno));
        } else {
            die("unknown record kind %d", kind);
        }
    }
}

static int is_program(const char *folder) {
    char path[PATH_MAX + 16];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", folder, PROGRAM) >= sizeof path) return 0;
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int main(int argc, char **argv) {
    (void)argc;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "aiwisper: cannot find its own file: %s\n", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int len = xdg && *xdg ? snprintf(cache_dir, sizeof cache_dir, "%s/aiwisper", xdg)
                          : snprintf(cache_dir, sizeof cache_dir, "%s/.cache/aiwisper", home && *home ? home : "/tmp");
    if ((size_t)len >= sizeof cache_dir) die("the cache folder's path is too long");

    FILE *in = fopen(self, "rb");
    if (!in) die("cannot read %s: %s", self, strerror(errno));
    uint8_t trailer[TRAILER];
    if (fseeko(in, -TRAILER, SEEK_END) != 0 || fread(trailer, 1, TRAILER, in) != TRAILER ||
        memcmp(trailer + 32, MAGIC, 8) != 0)
        die("%s carries no program: it is cut short or not an AIWisper binary (download it again)", self);
    uint64_t offset = 0;
    for (int i = 7; i >= 0; i--) offset = offset << 8 | trailer[i];
    off_t end = ftello(in) - TRAILER;
    char key[25];
    memcpy(key, trailer + 8, 24);
    key[24] = '\0';

    char target[PATH_MAX + 64], program[PATH_MAX + 80];
    if ((size_t)snprintf(target, sizeof target, "%s/app-%s", cache_dir, key) >= sizeof target) die("path too long");
    if (!is_program(target)) {
        char parents[PATH_MAX + 2];
        if ((size_t)snprintf(parents, sizeof parents, "%s/", cache_dir) >= sizeof parents) die("path too long");
        make_parents(parents);
        if ((size_t)snprintf(work, sizeof work, "%s/.app-XXXXXX", cache_dir) >= sizeof work) die("path too long");
        if (!mkdtemp(work)) die("%s", strerror(errno));
        Reader *r = calloc(1, sizeof *r);
        if (!r) die("out of memory");
        r->in = in;
        r->left = (uint64_t)end - offset;
        r->xz = (lzma_stream)LZMA_STREAM_INIT;
        if (fseeko(in, (off_t)offset, SEEK_SET) != 0 || lzma_stream_decoder(&r->xz, UINT64_MAX, 0) != LZMA_OK)
            die("cannot start reading the payload");
        unpack(r, work);
        lzma_end(&r->xz);
        free(r);
        /* the whole folder appears at once: a cut-off unpack is never taken for one */
        if (rename(work, target) != 0 && !is_program(target)) die("%s: %s", target, strerror(errno));
        nftw(work, remove_one, 16, FTW_DEPTH | FTW_PHYS); /* left only if another start won the race */
        work[0] = '\0';
    }
    fclose(in);
    if ((size_t)snprintf(program, sizeof program, "%s/%s", target, PROGRAM) >= sizeof program) die("path too long");
    if (setenv("AIWISPER_BINARY", self, 1) != 0) die("%s", strerror(errno));
    argv[0] = program;
    execve(program, argv, environ);
    fprintf(stderr, "aiwisper: cannot run %s: %s\n", program, strerror(errno));
    return 1;
}
