#include "sim/port/stack_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define AXL_UNDER_VALGRIND (RUNNING_ON_VALGRIND != 0)
#else
#define AXL_UNDER_VALGRIND false
#define VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_ENABLE_ERROR_REPORTING
#endif

namespace axl::sim {
namespace {

const size_t kPage = static_cast<size_t>(::sysconf(_SC_PAGESIZE));

size_t mapping_count() {
    std::ifstream maps("/proc/self/maps");
    size_t lines = 0;
    for (std::string line; std::getline(maps, line);) ++lines;
    return lines;
}

// Total address space the process has mapped, in bytes.
size_t mapped_address_space() {
    std::ifstream maps("/proc/self/maps");
    size_t total = 0;
    for (std::string line; std::getline(maps, line);) {
        unsigned long begin = 0, end = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx", &begin, &end) == 2) total += end - begin;
    }
    return total;
}

size_t max_map_count() {
    std::ifstream file("/proc/sys/vm/max_map_count");
    size_t value = 65530;
    file >> value;
    return value;
}

// Whether the kernel lets the process read `address`, probed without
// faulting: write(2) from an inaccessible address fails with EFAULT.
bool readable(const void* address) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) std::abort();
    VALGRIND_DISABLE_ERROR_REPORTING;  // the probe is meant to touch bad memory
    ssize_t wrote = ::write(pipe_fds[1], address, 1);
    int error = errno;
    VALGRIND_ENABLE_ERROR_REPORTING;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    if (wrote < 0 && error != EFAULT) std::abort();
    return wrote == 1;
}

std::vector<GuardMethod> methods_here() {
    std::vector<GuardMethod> methods{GuardMethod::protection};
    if (guard_markers_supported()) methods.push_back(GuardMethod::guard_markers);
    return methods;
}

std::string method_name(GuardMethod method) {
    switch (method) {
        case GuardMethod::automatic: return "automatic";
        case GuardMethod::guard_markers: return "guard_markers";
        case GuardMethod::protection: return "protection";
    }
    return "?";
}

TEST(StackPool, AutomaticPicksAConcreteMethod) {
    StackPool pool;
    EXPECT_NE(pool.guard_method(), GuardMethod::automatic);
    EXPECT_EQ(pool.guard_method(), guard_markers_supported() ? GuardMethod::guard_markers
                                                             : GuardMethod::protection);
    if (!guard_markers_supported()) {
        EXPECT_THROW(StackPool forced(GuardMethod::guard_markers), std::runtime_error);
    }
}

TEST(StackPool, SizesAreRoundedToPagesWithAMinimum) {
    StackPool pool;
    EXPECT_EQ(pool.acquire(0).size, StackPool::kMinStackSize);
    EXPECT_EQ(pool.acquire(1).size, StackPool::kMinStackSize);
    EXPECT_EQ(pool.acquire(StackPool::kMinStackSize).size, StackPool::kMinStackSize);
    EXPECT_EQ(pool.acquire(StackPool::kMinStackSize + 1).size, StackPool::kMinStackSize + kPage);
    EXPECT_EQ(pool.acquire(100'000).size, (100'000 + kPage - 1) / kPage * kPage);
    EXPECT_EQ(pool.in_use(), 5u);
}

TEST(StackPool, LayoutIsGuardDirectlyBelowAPageAlignedStack) {
    StackPool pool(GuardMethod::automatic, 3 * kPage - 100);
    Stack stack = pool.acquire(64 * 1024);
    EXPECT_EQ(pool.guard_size(), 3 * kPage);
    EXPECT_EQ(stack.guard_size, 3 * kPage);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(stack.base) % kPage, 0u);
    EXPECT_EQ(static_cast<char*>(stack.guard) + stack.guard_size, stack.base);
    EXPECT_EQ(stack.top(), static_cast<char*>(stack.base) + 64 * 1024);
    EXPECT_TRUE(stack.contains(stack.base));
    EXPECT_TRUE(stack.contains(static_cast<char*>(stack.top()) - 1));
    EXPECT_FALSE(stack.contains(stack.top()));
    EXPECT_FALSE(stack.contains(static_cast<char*>(stack.base) - 1));
    EXPECT_TRUE(in_guard_page(stack.guard, stack));
    EXPECT_TRUE(in_guard_page(static_cast<char*>(stack.base) - 1, stack));
    EXPECT_FALSE(in_guard_page(stack.base, stack));
    EXPECT_FALSE(in_guard_page(static_cast<char*>(stack.guard) - 1, stack));
}

TEST(StackPool, EveryByteOfAStackIsUsableAndTheGuardIsNot) {
    for (GuardMethod method : methods_here()) {
        SCOPED_TRACE(method_name(method));
        StackPool pool(method);
        std::vector<Stack> stacks;
        for (int i = 0; i < 8; ++i) stacks.push_back(pool.acquire(20 * 1024 + i * kPage));
        for (size_t i = 0; i < stacks.size(); ++i)
            std::memset(stacks[i].base, static_cast<int>(0xA0 + i), stacks[i].size);
        for (size_t i = 0; i < stacks.size(); ++i) {
            const auto* bytes = static_cast<const unsigned char*>(stacks[i].base);
            EXPECT_TRUE(std::all_of(bytes, bytes + stacks[i].size,
                                    [&](unsigned char b) { return b == 0xA0 + i; }))
                << "stack " << i << " was overwritten by a neighbour";
            EXPECT_TRUE(readable(stacks[i].base));
            EXPECT_FALSE(readable(stacks[i].guard));
            EXPECT_FALSE(readable(static_cast<char*>(stacks[i].base) - 1));
        }
    }
}

TEST(StackPoolDeathTest, WritingBelowTheStackFaults) {
    for (GuardMethod method : methods_here()) {
        SCOPED_TRACE(method_name(method));
        StackPool pool(method);
        Stack stack = pool.acquire(16 * 1024);
        // The byte just above the guard is fine; the one below base is not.
        EXPECT_EXIT(
            {
                static_cast<volatile char*>(stack.base)[0] = 1;
                std::fprintf(stderr, "base is writable\n");
                static_cast<volatile char*>(stack.base)[-1] = 1;
                std::exit(0);
            },
            testing::KilledBySignal(SIGSEGV), "base is writable");
    }
}

TEST(StackPool, ReleasedStacksAreReusedBySizeClass) {
    StackPool pool;
    Stack a = pool.acquire(16 * 1024);
    Stack b = pool.acquire(16 * 1024);
    Stack big = pool.acquire(32 * 1024);
    EXPECT_NE(a.base, b.base);
    pool.release(a);
    EXPECT_EQ(pool.in_use(), 2u);
    // A different size class does not take it...
    Stack other = pool.acquire(24 * 1024);
    EXPECT_NE(other.base, a.base);
    // ...the same class does, even when asked with a size that rounds to it.
    Stack again = pool.acquire(16 * 1024 - 5);
    EXPECT_EQ(again.base, a.base);
    EXPECT_EQ(again.guard, a.guard);
    EXPECT_EQ(again.size, a.size);
    const size_t mapped = pool.mapped_bytes();
    for (int i = 0; i < 1000; ++i) pool.release(pool.acquire(32 * 1024));
    EXPECT_EQ(pool.mapped_bytes(), mapped) << "release/acquire cycles must not map more";
    pool.release(big);
    EXPECT_EQ(pool.acquire(32 * 1024).base, big.base);
}

TEST(StackPool, ReusedBigStacksStillHaveTheirGuard) {
    for (GuardMethod method : methods_here()) {
        SCOPED_TRACE(method_name(method));
        StackPool pool(method);
        Stack big = pool.acquire(StackPool::kTrimThreshold);
        std::memset(big.base, 0x5A, big.size);
        pool.release(big);  // trimmed: the pages come back zeroed
        Stack again = pool.acquire(StackPool::kTrimThreshold);
        ASSERT_EQ(again.base, big.base);
        EXPECT_EQ(static_cast<unsigned char*>(again.base)[100], 0);
        EXPECT_FALSE(readable(again.guard));
        EXPECT_TRUE(readable(again.base));
    }
}

TEST(StackPool, ReleaseRejectsForeignAndDoubleReleases) {
    StackPool pool;
    StackPool other;
    Stack a = pool.acquire(16 * 1024);
    Stack from_other = other.acquire(16 * 1024);
    EXPECT_THROW(pool.release(from_other), std::invalid_argument);
    Stack shifted = a;
    shifted.base = static_cast<char*>(shifted.base) + kPage;
    shifted.guard = static_cast<char*>(shifted.guard) + kPage;
    EXPECT_THROW(pool.release(shifted), std::invalid_argument);
    Stack resized = a;
    resized.size += kPage;
    EXPECT_THROW(pool.release(resized), std::invalid_argument);
    char local;
    EXPECT_THROW(pool.release(Stack{&local, 16 * 1024, &local, kPage}), std::invalid_argument);
    pool.release(a);
    EXPECT_THROW(pool.release(a), std::invalid_argument);
    EXPECT_EQ(pool.in_use(), 0u);
}

// The scale the simulator needs: 100,000 processes with small stacks.
TEST(StackPool, HundredThousandSmallStacks) {
    constexpr size_t kCount = 100'000;
    const size_t maps_before = mapping_count();
    StackPool pool;
    std::vector<Stack> stacks;
    stacks.reserve(kCount);
    if (pool.guard_method() == GuardMethod::protection &&
        max_map_count() < 2 * kCount + StackPool::kReservedMappings + maps_before) {
        if (AXL_UNDER_VALGRIND) GTEST_SKIP() << "valgrind's segment table is smaller still";
        // Documented limit: the pool refuses with an error that names it.
        try {
            for (size_t i = 0; i < kCount; ++i) stacks.push_back(pool.acquire(16 * 1024));
            FAIL() << "expected the vm.max_map_count limit to stop acquire()";
        } catch (const std::runtime_error& error) {
            EXPECT_NE(std::string(error.what()).find("vm.max_map_count"), std::string::npos)
                << error.what();
        }
        GTEST_SKIP() << "mprotect guards on this kernel: the pool stopped at " << stacks.size()
                     << " stacks, below vm.max_map_count as documented";
    }

    for (size_t i = 0; i < kCount; ++i) stacks.push_back(pool.acquire(16 * 1024));
    EXPECT_EQ(pool.in_use(), kCount);
    EXPECT_LT(mapping_count(), maps_before + 2000) << "stacks must not cost a mapping each";

    // Stacks and guards must not overlap one another.
    std::vector<Stack> sorted = stacks;
    std::sort(sorted.begin(), sorted.end(),
              [](const Stack& x, const Stack& y) { return x.guard < y.guard; });
    for (size_t i = 0; i + 1 < sorted.size(); ++i)
        ASSERT_LE(static_cast<char*>(sorted[i].top()), static_cast<char*>(sorted[i + 1].guard))
            << "stack " << i << " overlaps the next one";

    // Touching all 100,000 would cost 400 MB; a spread sample shows they work.
    for (size_t i = 0; i < kCount; i += 97) {
        auto* top_word = static_cast<volatile uint64_t*>(stacks[i].top()) - 1;
        *top_word = i;
        *static_cast<volatile char*>(stacks[i].base) = 1;
    }
    for (size_t i = 0; i < kCount; i += 97)
        ASSERT_EQ(*(static_cast<volatile uint64_t*>(stacks[i].top()) - 1), i);
    EXPECT_FALSE(readable(stacks.front().guard));
    EXPECT_FALSE(readable(stacks[kCount / 2].guard));
    EXPECT_FALSE(readable(stacks.back().guard));

    const size_t mapped = pool.mapped_bytes();
    for (const Stack& stack : stacks) pool.release(stack);
    EXPECT_EQ(pool.in_use(), 0u);
    for (size_t i = 0; i < kCount; ++i) pool.acquire(16 * 1024);
    EXPECT_EQ(pool.mapped_bytes(), mapped) << "a second round must reuse the released stacks";
}

// Protection guards cost two mappings per stack: the pool must stop short of
// vm.max_map_count with the documented error, leaving the process able to map.
TEST(StackPool, ProtectionGuardsStopBeforeTheMapCountLimit) {
    const size_t limit = max_map_count();
    if (limit > 400'000) GTEST_SKIP() << "vm.max_map_count is raised to " << limit;
    if (AXL_UNDER_VALGRIND)
        GTEST_SKIP() << "valgrind runs out of its own segment table (VG_N_SEGMENTS) first";
    const size_t maps_before = mapping_count();
    StackPool pool(GuardMethod::protection);
    size_t acquired = 0;
    Stack last;
    std::string message;
    try {
        // Bounded, so that guards which cost no mapping fail here instead of
        // exhausting the address space.
        for (; acquired < limit; ++acquired) last = pool.acquire(16 * 1024);
    } catch (const std::runtime_error& error) {
        message = error.what();
    }
    ASSERT_LT(acquired, limit) << "mprotect guards must cost mappings; are they installed?";
    EXPECT_NE(message.find("vm.max_map_count"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(limit)), std::string::npos) << message;
    const size_t expected = (limit - StackPool::kReservedMappings - maps_before) / 2;
    EXPECT_GT(acquired, expected - 1000) << "stopped far too early";
    EXPECT_LE(acquired, expected + 1000);
    EXPECT_LE(mapping_count(), limit - StackPool::kReservedMappings / 2);

    // The reserve is real: the rest of the process can still make mappings...
    std::vector<void*> pages;
    for (int i = 0; i < 500; ++i) {
        void* page = ::mmap(nullptr, kPage, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_NE(page, MAP_FAILED);
        pages.push_back(page);
    }
    for (void* page : pages) ::munmap(page, kPage);
    std::thread([] {}).join();
    // ...and the pool still works from its free list, which costs no mapping.
    EXPECT_EQ(pool.in_use(), acquired);
    pool.release(last);
    EXPECT_EQ(pool.acquire(16 * 1024).base, last.base);
}

TEST(StackPool, DestructorUnmapsEverything) {
    const size_t before = mapped_address_space();
    {
        StackPool pool;
        for (int i = 0; i < 300; ++i) pool.acquire(1024 * 1024);  // never released
        EXPECT_GE(mapped_address_space(), before + 300u * 1024 * 1024);
    }
    EXPECT_LT(mapped_address_space(), before + 16u * 1024 * 1024);
}

TEST(StackPool, ConcurrentAcquireAndReleaseHandOutEachStackOnce) {
    StackPool pool;
    std::atomic<bool> clash{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::vector<Stack> mine;
            for (int round = 0; round < 2000; ++round) {
                Stack stack = pool.acquire(16 * 1024 + (round % 3) * kPage);
                *static_cast<volatile int*>(stack.base) = t;
                mine.push_back(stack);
                if (mine.size() == 8) {
                    for (const Stack& s : mine)
                        if (*static_cast<volatile int*>(s.base) != t) clash = true;
                    for (const Stack& s : mine) pool.release(s);
                    mine.clear();
                }
            }
            for (const Stack& s : mine) pool.release(s);
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_FALSE(clash) << "two threads were given the same stack";
    EXPECT_EQ(pool.in_use(), 0u);
}

}  // namespace
}  // namespace axl::sim
