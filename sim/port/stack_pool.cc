#include "sim/port/stack_pool.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define AXL_HAVE_VALGRIND 1
#endif

namespace axl::sim {
namespace {

// Older libc headers do not name it; the value is the kernel ABI (Linux 6.13).
#ifndef MADV_GUARD_INSTALL
constexpr int MADV_GUARD_INSTALL = 102;
#endif

constexpr size_t kDefaultMaxMapCount = 65530;  // the kernel's default

size_t round_up(size_t value, size_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

std::string errno_text(int error) { return std::strerror(error); }

// Lines in /proc/self/maps = mappings the process holds now. read(2) instead of
// iostreams: near the limit the file is 65,000 lines and this runs per chunk.
size_t current_mapping_count() {
    int fd = ::open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t lines = 0;
    char buffer[64 * 1024];
    for (;;) {
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        for (const char* p = buffer; (p = static_cast<const char*>(
                                          std::memchr(p, '\n', buffer + got - p))) != nullptr;
             ++p)
            ++lines;
    }
    ::close(fd);
    return lines;
}

size_t read_max_map_count() {
    int fd = ::open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return kDefaultMaxMapCount;
    char text[32] = {};
    ssize_t got = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (got <= 0) return kDefaultMaxMapCount;
    unsigned long long value = std::strtoull(text, nullptr, 10);
    return value > 0 ? static_cast<size_t>(value) : kDefaultMaxMapCount;
}

#ifdef AXL_HAVE_VALGRIND
bool running_on_valgrind() { return RUNNING_ON_VALGRIND != 0; }
#endif

}  // namespace

bool guard_markers_supported() {
    static const bool supported = [] {
        const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
        void* probe = ::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (probe == MAP_FAILED) return false;
        bool ok = ::madvise(probe, page, MADV_GUARD_INSTALL) == 0;
        ::munmap(probe, 2 * page);
        return ok;
    }();
    return supported;
}

StackPool::StackPool(GuardMethod method, size_t guard_bytes)
    : method_(method), page_size_(static_cast<size_t>(::sysconf(_SC_PAGESIZE))) {
    guard_size_ = round_up(guard_bytes == 0 ? page_size_ : guard_bytes, page_size_);
    if (method_ == GuardMethod::automatic)
        method_ = guard_markers_supported() ? GuardMethod::guard_markers : GuardMethod::protection;
    else if (method_ == GuardMethod::guard_markers && !guard_markers_supported())
        throw std::runtime_error(
            "StackPool: this kernel has no madvise(MADV_GUARD_INSTALL) (needs Linux >= 6.13); "
            "use GuardMethod::protection or automatic");
    if (method_ == GuardMethod::protection) {
        max_map_count_ = read_max_map_count();
        estimated_mappings_ = current_mapping_count();
    }
}

StackPool::~StackPool() {
    for (auto& [begin, chunk] : chunks_) {
#ifdef AXL_HAVE_VALGRIND
        for (unsigned id : chunk->valgrind_ids) VALGRIND_STACK_DEREGISTER(id);
#endif
        ::munmap(reinterpret_cast<void*>(begin), chunk->bytes);
    }
}

size_t StackPool::in_use() const {
    std::lock_guard lock(mutex_);
    return in_use_;
}

size_t StackPool::mapped_bytes() const {
    std::lock_guard lock(mutex_);
    return mapped_bytes_;
}

Stack StackPool::slot_stack(const Chunk& chunk, size_t slot) const {
    char* guard = reinterpret_cast<char*>(chunk.begin + slot * chunk.slot_bytes);
    return Stack{guard + guard_size_, chunk.slot_bytes - guard_size_, guard, guard_size_};
}

Stack StackPool::acquire(size_t bytes) {
    if (bytes > (size_t{1} << 40))
        throw std::runtime_error(fmt::format("StackPool: stack of {} bytes requested", bytes));
    const size_t size = round_up(bytes < kMinStackSize ? kMinStackSize : bytes, page_size_);

    std::lock_guard lock(mutex_);
    SizeClass& size_class = classes_[size];
    Chunk* chunk;
    size_t slot;
    if (!size_class.free.empty()) {
        // Most recently released first: its pages are the likeliest to be resident.
        FreeSlot reuse = size_class.free.back();
        size_class.free.pop_back();
        chunk = reuse.chunk;
        slot = reuse.slot;
    } else {
        chunk = size_class.carving;
        if (chunk == nullptr || chunk->slots_carved * chunk->slot_bytes == chunk->bytes) {
            chunk = &new_chunk(size);
            size_class.carving = chunk;
        }
        carve_next_slot(*chunk);
        slot = chunk->slots_carved - 1;
    }
    chunk->in_use[slot] = true;
    ++in_use_;
    return slot_stack(*chunk, slot);
}

void StackPool::release(const Stack& stack) {
    const auto address = reinterpret_cast<uintptr_t>(stack.guard);
    std::lock_guard lock(mutex_);
    auto after = chunks_.upper_bound(address);
    if (after == chunks_.begin())
        throw std::invalid_argument("StackPool::release: not a stack from this pool");
    Chunk& chunk = *std::prev(after)->second;
    const size_t offset = address - chunk.begin;
    const size_t slot = offset / chunk.slot_bytes;
    if (offset >= chunk.bytes || offset % chunk.slot_bytes != 0 || slot >= chunk.slots_carved ||
        stack.guard_size != guard_size_ || stack.size != chunk.slot_bytes - guard_size_ ||
        static_cast<char*>(stack.guard) + guard_size_ != stack.base)
        throw std::invalid_argument("StackPool::release: not a stack from this pool");
    if (!chunk.in_use[slot])
        throw std::invalid_argument("StackPool::release: stack released twice");

    // Neither mprotect guards nor guard markers are touched by MADV_DONTNEED,
    // but only the usable range is trimmed anyway.
    if (stack.size >= kTrimThreshold) ::madvise(stack.base, stack.size, MADV_DONTNEED);
    chunk.in_use[slot] = false;
    --in_use_;
    classes_[stack.size].free.push_back(FreeSlot{&chunk, slot});
}

StackPool::Chunk& StackPool::new_chunk(size_t stack_size) {
    const size_t slot_bytes = guard_size_ + stack_size;
    const size_t slots = kChunkBytes / slot_bytes > 0 ? kChunkBytes / slot_bytes : 1;
    const size_t bytes = slots * slot_bytes;
    if (method_ == GuardMethod::protection) ensure_mapping_budget(1);

    // Protection mode maps the chunk inaccessible and opens each stack as it is
    // carved, so the uncarved rest is one mapping however many slots it has.
    // MAP_NORESERVE: a chunk is mostly address space nobody touches yet.
    const int protection =
        method_ == GuardMethod::protection ? PROT_NONE : PROT_READ | PROT_WRITE;
    void* memory = ::mmap(nullptr, bytes, protection,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (memory == MAP_FAILED)
        throw std::runtime_error(fmt::format(
            "StackPool: mmap of {} bytes for fiber stacks failed: {}{}", bytes,
            errno_text(errno),
            errno == ENOMEM ? " (out of address space, or vm.max_map_count reached)" : ""));

    auto chunk = std::make_unique<Chunk>();
    chunk->begin = reinterpret_cast<uintptr_t>(memory);
    chunk->bytes = bytes;
    chunk->slot_bytes = slot_bytes;
    chunk->in_use.assign(slots, false);
    Chunk& result = *chunk;
    chunks_.emplace(chunk->begin, std::move(chunk));
    mapped_bytes_ += bytes;
    estimated_mappings_ += 1;
    return result;
}

void StackPool::carve_next_slot(Chunk& chunk) {
    const Stack stack = slot_stack(chunk, chunk.slots_carved);
    if (method_ == GuardMethod::guard_markers) {
        if (::madvise(stack.guard, stack.guard_size, MADV_GUARD_INSTALL) != 0)
            throw std::runtime_error(fmt::format(
                "StackPool: madvise(MADV_GUARD_INSTALL) failed: {}", errno_text(errno)));
    } else {
        // Opening the stack splits the inaccessible chunk: the guard below it
        // stays one mapping, the stack becomes another.
        ensure_mapping_budget(2);
        if (::mprotect(stack.base, stack.size, PROT_READ | PROT_WRITE) != 0) {
            const int error = errno;
            throw std::runtime_error(fmt::format(
                "StackPool: mprotect of a fiber stack failed: {}{}", errno_text(error),
                error == ENOMEM ? fmt::format(" (the process reached vm.max_map_count = {})",
                                              max_map_count_)
                                : std::string()));
        }
        estimated_mappings_ += 2;
    }
#ifdef AXL_HAVE_VALGRIND
    // Tell valgrind this range is a stack, so switching onto it is not
    // mistaken for a wild stack-pointer change.
    if (running_on_valgrind())
        chunk.valgrind_ids.push_back(VALGRIND_STACK_REGISTER(stack.base, stack.top()));
#endif
    ++chunk.slots_carved;
}

void StackPool::ensure_mapping_budget(size_t new_mappings) {
    const size_t budget =
        max_map_count_ > kReservedMappings ? max_map_count_ - kReservedMappings : 0;
    if (estimated_mappings_ + new_mappings <= budget) return;
    // Close to the limit: the estimate misses whatever the rest of the process
    // mapped or unmapped since the last count, so count for real.
    estimated_mappings_ = current_mapping_count();
    if (estimated_mappings_ + new_mappings <= budget) return;
    throw std::runtime_error(fmt::format(
        "StackPool: no room for another fiber stack: the process holds {} memory mappings and "
        "vm.max_map_count is {} ({} are kept in reserve for the rest of the simulator). "
        "mprotect guard pages cost two mappings per stack ({} stacks in use now); raise "
        "vm.max_map_count (sysctl) or run on Linux >= 6.13, whose guard markers cost none",
        estimated_mappings_, max_map_count_, kReservedMappings, in_use_));
}

}  // namespace axl::sim
