// The Linux environment's heap (linux_env/kit/heap.cc), alone: kmalloc's
// memory must be aligned as asked, never overlap, come back when freed
// (merged with its free neighbours), and refuse what does not fit.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "linux_env/kit/lx_kit.h"

// The heap reports misuse through the C++ half's fault; here it throws.
extern "C" void lx_kit_fault(const char* why) { throw std::runtime_error(why); }

namespace {

bool overlaps(const void* a, size_t a_bytes, const void* b, size_t b_bytes) {
    auto x = reinterpret_cast<uintptr_t>(a), y = reinterpret_cast<uintptr_t>(b);
    return x < y + b_bytes && y < x + a_bytes;
}

TEST(LinuxHeap, BlocksAreAlignedAsAskedAndNeverOverlap) {
    std::vector<std::pair<void*, size_t>> blocks;
    for (size_t i = 0; i < 200; ++i) {
        const size_t bytes = 1 + (i * 37) % 3000;
        const size_t align = size_t{1} << (i % 13);  // 1 .. 4096
        void* block = lx_kit_alloc(bytes, align);
        ASSERT_NE(block, nullptr);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % (align < 16 ? 16 : align), 0u) << i;
        EXPECT_GE(lx_kit_block_size(block), bytes);
        std::memset(block, static_cast<int>(i), bytes);
        for (const auto& [other, other_bytes] : blocks) EXPECT_FALSE(overlaps(block, bytes, other, other_bytes));
        blocks.emplace_back(block, bytes);
    }
    for (size_t i = 0; i < blocks.size(); ++i) {
        const auto* bytes = static_cast<const uint8_t*>(blocks[i].first);
        EXPECT_EQ(bytes[0], static_cast<uint8_t>(i));
        EXPECT_EQ(bytes[blocks[i].second - 1], static_cast<uint8_t>(i)) << "a later block wrote over it";
    }
    for (const auto& [block, bytes] : blocks) lx_kit_free(block);
}

TEST(LinuxHeap, FreedMemoryMergesSoALargeBlockFitsAgain) {
    // Fill most of the 8 MiB arena with 64 KiB blocks, free them all, then ask
    // for one block as large as all of them: only merged neighbours make room.
    std::vector<void*> blocks;
    for (int i = 0; i < 100; ++i) {
        void* block = lx_kit_alloc(64 * 1024, 16);
        ASSERT_NE(block, nullptr) << i;
        blocks.push_back(block);
    }
    for (size_t i = 0; i < blocks.size(); i += 2) lx_kit_free(blocks[i]);  // every other, then the rest
    for (size_t i = 1; i < blocks.size(); i += 2) lx_kit_free(blocks[i]);
    void* large = lx_kit_alloc(100 * 64 * 1024, 4096);
    ASSERT_NE(large, nullptr);
    lx_kit_free(large);
}

TEST(LinuxHeap, WhatDoesNotFitIsRefusedAndMisuseFaults) {
    EXPECT_EQ(lx_kit_alloc(size_t{64} << 20, 16), nullptr) << "more than the arena";
    void* block = lx_kit_alloc(100, 16);
    ASSERT_NE(block, nullptr);
    lx_kit_free(block);
    EXPECT_THROW(lx_kit_free(block), std::runtime_error) << "freed twice";
    int on_the_stack = 0;
    EXPECT_THROW(lx_kit_free(reinterpret_cast<char*>(&on_the_stack) + 64), std::runtime_error) << "not a heap block";
}

}  // namespace
