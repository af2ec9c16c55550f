#include "sim/machine/block_device.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "hw/block.h"
#include "tests/support/device_test_host.h"
#include "tests/support/temp_dir.h"

namespace axl::sim {
namespace {

namespace reg = hw::block;
constexpr uint32_t line = 14;
constexpr uint64_t sector_bytes = reg::sector_bytes;
constexpr uint64_t disk_sectors = 2048;  // 1 MiB
constexpr uint64_t access_ns = 50'000;
constexpr uint64_t ns_per_sector = 2'000;

// Fake grants over the test host's memory.
constexpr uint32_t grant_both = 1;        // the whole memory, read and write
constexpr uint32_t grant_device_reads = 2;   // device may read it (for disk writes) only
constexpr uint32_t grant_device_writes = 3;  // device may write it (for disk reads) only
constexpr uint32_t grant_unknown = 99;
constexpr size_t memory_bytes = 2 * 256 * sector_bytes;

std::vector<uint8_t> contents_of(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

uint32_t error_code(uint32_t status) { return (status & reg::error_mask) >> reg::error_shift; }

struct BlockDeviceTest : ::testing::Test {
    test::TempDir dir;
    test::DeviceTestHost host{memory_bytes};
    std::string disk = dir.file("disk.img");
    std::vector<uint8_t> initial_disk;
    std::unique_ptr<BlockDevice> device;

    BlockDeviceTest() {
        initial_disk.resize(disk_sectors * sector_bytes);
        for (size_t i = 0; i < initial_disk.size(); ++i) initial_disk[i] = static_cast<uint8_t>(i * 131 + i / 512);
        write_file(disk, initial_disk);
        host.add_grant(grant_both, 0, memory_bytes, GrantAccess::read_write);
        host.add_grant(grant_device_reads, 0, memory_bytes / 2, GrantAccess::read);
        host.add_grant(grant_device_writes, memory_bytes / 2, memory_bytes / 2, GrantAccess::write);
        device = std::make_unique<BlockDevice>(host, BlockConfig{.path = disk});
    }
    void TearDown() override { EXPECT_EQ(host.scheduled_in_past(), 0u); }

    uint32_t read(uint16_t offset) { return device->read(offset, 4); }
    void write(uint16_t offset, uint32_t value) { device->write(offset, 4, value); }
    void issue(uint32_t command, uint64_t sector, uint32_t count, uint32_t grant, uint32_t dma_offset = 0) {
        write(reg::sector_low, static_cast<uint32_t>(sector));
        write(reg::sector_high, static_cast<uint32_t>(sector >> 32));
        write(reg::count, count);
        write(reg::dma_grant, grant);
        write(reg::dma_offset, dma_offset);
        write(reg::command, command);
    }
    // Issues a command, runs until it completes, returns the status and
    // clears done/error for the next one.
    uint32_t run(uint32_t command, uint64_t sector, uint32_t count, uint32_t grant, uint32_t dma_offset = 0) {
        issue(command, sector, count, grant, dma_offset);
        host.run_all();
        const uint32_t status = read(reg::status);
        write(reg::status, reg::status_done | reg::status_error);
        return status;
    }
    std::vector<uint8_t> memory_range(size_t offset, size_t bytes) {
        return {host.memory().begin() + static_cast<ptrdiff_t>(offset),
                host.memory().begin() + static_cast<ptrdiff_t>(offset + bytes)};
    }
};

TEST_F(BlockDeviceTest, RegistersDescribeTheDisk) {
    EXPECT_EQ(read(reg::capacity_low), disk_sectors);
    EXPECT_EQ(read(reg::capacity_high), 0u);
    EXPECT_EQ(read(reg::max_sectors_reg), 256u);
    EXPECT_EQ(read(reg::status), 0u);
    EXPECT_EQ(read(reg::completed), 0u);
    EXPECT_EQ(device->capacity_sectors(), disk_sectors);
    EXPECT_EQ(device->io_size(), reg::io_size);
    write(reg::sector_low, 0x1234'5678);
    write(reg::sector_high, 0x9A);
    write(reg::count, 7);
    write(reg::dma_grant, 5);
    write(reg::dma_offset, 1024);
    EXPECT_EQ(read(reg::sector_low), 0x1234'5678u);
    EXPECT_EQ(read(reg::sector_high), 0x9Au);
    EXPECT_EQ(read(reg::count), 7u);
    EXPECT_EQ(read(reg::dma_grant), 5u);
    EXPECT_EQ(read(reg::dma_offset), 1024u);
    EXPECT_EQ(host.pending_events(), 0u);
}

TEST_F(BlockDeviceTest, ReadBringsTheDiskIntoMemoryThroughTheWindow) {
    EXPECT_EQ(run(reg::command_read, 10, 3, grant_both, 512), reg::status_done);
    const auto expected = std::vector<uint8_t>(initial_disk.begin() + 10 * sector_bytes,
                                               initial_disk.begin() + 13 * sector_bytes);
    EXPECT_EQ(memory_range(512, 3 * sector_bytes), expected);
    EXPECT_EQ(memory_range(0, 512), std::vector<uint8_t>(512, 0)) << "nothing before the offset";
    EXPECT_EQ(read(reg::completed), 1u);
    EXPECT_EQ(read(reg::command), reg::command_read);
}

TEST_F(BlockDeviceTest, WriteThenReadRoundTripsRandomData) {
    std::mt19937_64 random(20240611);
    std::vector<uint8_t> model = initial_disk;
    for (uint32_t round = 1; round <= 150; ++round) {
        const auto count = static_cast<uint32_t>(1 + random() % 256);
        const uint64_t sector = random() % (disk_sectors - count + 1);
        const size_t bytes = count * sector_bytes;
        const auto dma_offset = static_cast<uint32_t>(random() % (memory_bytes - bytes + 1));
        std::vector<uint8_t> data(bytes);
        for (uint8_t& byte : data) byte = static_cast<uint8_t>(random());
        std::copy(data.begin(), data.end(), host.memory().begin() + dma_offset);
        std::copy(data.begin(), data.end(), model.begin() + static_cast<ptrdiff_t>(sector * sector_bytes));

        ASSERT_EQ(run(reg::command_write, sector, count, grant_both, dma_offset), reg::status_done) << round;
        std::fill(host.memory().begin(), host.memory().end(), 0);
        const auto read_offset = static_cast<uint32_t>(random() % (memory_bytes - bytes + 1));
        ASSERT_EQ(run(reg::command_read, sector, count, grant_both, read_offset), reg::status_done) << round;
        ASSERT_EQ(memory_range(read_offset, bytes), data) << "round " << round;
        ASSERT_EQ(read(reg::completed), 2 * round);
    }
    device.reset();  // closes the file
    EXPECT_EQ(contents_of(disk), model) << "the file holds exactly what was written, where";
}

TEST_F(BlockDeviceTest, LatencyIsAccessTimePlusTransferTime) {
    host.run_until(1'000);
    issue(reg::command_write, 100, 8, grant_both);
    const uint64_t done_at = 1'000 + access_ns + 8 * ns_per_sector;
    EXPECT_EQ(read(reg::status), reg::status_busy);
    host.run_until(done_at - 1);
    EXPECT_EQ(read(reg::status), reg::status_busy);
    EXPECT_EQ(host.irq_count(line), 0u);
    host.run_until(done_at);
    EXPECT_EQ(read(reg::status), reg::status_done);
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{done_at}));

    write(reg::status, reg::status_done);
    issue(reg::command_read, 0, 256, grant_both);
    host.run_all();
    EXPECT_EQ(host.irq_times(line).back(), done_at + access_ns + 256 * ns_per_sector);
}

TEST_F(BlockDeviceTest, LatencyFollowsTheConfiguration) {
    device = std::make_unique<BlockDevice>(
        host, BlockConfig{.irq_line = 3, .path = disk, .access_ns = 10, .ns_per_sector = 7, .max_sectors = 4});
    EXPECT_EQ(read(reg::max_sectors_reg), 4u);
    issue(reg::command_read, 0, 4, grant_both);
    host.run_all();
    EXPECT_EQ(host.irq_times(3), (std::vector<uint64_t>{10 + 4 * 7}));
    write(reg::status, reg::status_done);
    issue(reg::command_read, 0, 5, grant_both);
    host.run_all();
    EXPECT_EQ(error_code(read(reg::status)), reg::error_range) << "beyond max_sectors";
}

TEST_F(BlockDeviceTest, TransfersOutsideTheDiskFailWithRangeAfterAccessTime) {
    struct Case {
        uint64_t sector;
        uint32_t count;
    };
    for (const Case c : {Case{disk_sectors - 1, 2}, Case{disk_sectors, 1}, Case{0, 0}, Case{0, 257},
                         Case{uint64_t{1} << 40, 1}, Case{~uint64_t{0}, 2}, Case{~uint64_t{0} - 1, 0xFFFF'FFFF}}) {
        for (uint32_t command : {reg::command_read, reg::command_write}) {
            const uint64_t issued_at = host.now_ns();
            issue(command, c.sector, c.count, grant_both);
            host.run_all();
            EXPECT_EQ(host.now_ns(), issued_at + access_ns);
            const uint32_t status = read(reg::status);
            EXPECT_EQ(status & ~reg::error_mask, reg::status_done | reg::status_error) << c.sector << " " << c.count;
            EXPECT_EQ(error_code(status), reg::error_range) << c.sector << " " << c.count;
            write(reg::status, reg::status_done | reg::status_error);
        }
    }
    EXPECT_EQ(host.irq_count(line), 14u);
    EXPECT_EQ(read(reg::completed), 14u);
    EXPECT_EQ(host.memory(), std::vector<uint8_t>(memory_bytes, 0));
    device.reset();
    EXPECT_EQ(contents_of(disk), initial_disk);
}

TEST_F(BlockDeviceTest, TheLastSectorsAreInRange) {
    EXPECT_EQ(run(reg::command_read, disk_sectors - 256, 256, grant_both), reg::status_done);
    EXPECT_EQ(run(reg::command_read, disk_sectors - 1, 1, grant_both), reg::status_done);
}

TEST_F(BlockDeviceTest, UnknownCommandsFailWithCommandError) {
    for (uint32_t command : {0u, 5u, 0xFFFF'FFFFu}) {
        const uint32_t status = run(command, 0, 1, grant_both);
        EXPECT_EQ(status & ~reg::error_mask, reg::status_done | reg::status_error);
        EXPECT_EQ(error_code(status), reg::error_command);
    }
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{access_ns, 2 * access_ns, 3 * access_ns}));
}

TEST_F(BlockDeviceTest, ARefusedDmaFailsWithDmaErrorAndLeavesTheFileUntouched) {
    std::fill(host.memory().begin(), host.memory().end(), 0xEE);
    // Unknown grant; the device reading a window it may only write; past the window's end.
    EXPECT_EQ(error_code(run(reg::command_write, 0, 4, grant_unknown)), reg::error_dma);
    EXPECT_EQ(error_code(run(reg::command_write, 0, 4, grant_device_writes)), reg::error_dma);
    EXPECT_EQ(error_code(run(reg::command_write, 0, 4, grant_device_reads, memory_bytes / 2 - 3 * 512)),
              reg::error_dma);
    EXPECT_EQ(error_code(run(reg::command_write, 0, 1, grant_both, 0xFFFF'FFFF)), reg::error_dma);
    EXPECT_EQ(read(reg::completed), 4u);
    device.reset();
    EXPECT_EQ(contents_of(disk), initial_disk);
}

TEST_F(BlockDeviceTest, ARefusedDmaLeavesMemoryUntouched) {
    EXPECT_EQ(error_code(run(reg::command_read, 0, 4, grant_unknown)), reg::error_dma);
    EXPECT_EQ(error_code(run(reg::command_read, 0, 4, grant_device_reads)), reg::error_dma);
    EXPECT_EQ(host.memory(), std::vector<uint8_t>(memory_bytes, 0));
    // Each one-directional window works the way it allows.
    EXPECT_EQ(run(reg::command_read, 0, 4, grant_device_writes), reg::status_done);
    EXPECT_EQ(run(reg::command_write, 0, 4, grant_device_reads), reg::status_done);
}

TEST_F(BlockDeviceTest, ACommandWhileBusyIsRefusedAndDisturbsNothing) {
    issue(reg::command_read, 0, 10, grant_both);
    host.run_until(1'000);
    issue(reg::command_write, 500, 1, grant_both);
    uint32_t status = read(reg::status);
    EXPECT_EQ(status & ~reg::error_mask, reg::status_busy | reg::status_error);
    EXPECT_EQ(error_code(status), reg::error_busy);
    EXPECT_EQ(read(reg::command), reg::command_read) << "the command in flight";
    EXPECT_EQ(host.pending_events(), 1u);
    host.run_all();
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{access_ns + 10 * ns_per_sector}));
    EXPECT_EQ(read(reg::completed), 1u);
    status = read(reg::status);
    EXPECT_EQ(status & ~reg::error_mask, reg::status_done | reg::status_error) << "the refusal stays until cleared";
    EXPECT_EQ(error_code(status), reg::error_busy);
    EXPECT_EQ(memory_range(0, 10 * sector_bytes),
              std::vector<uint8_t>(initial_disk.begin(), initial_disk.begin() + 10 * sector_bytes))
        << "the original read completed, from sector 0";
    device.reset();
    EXPECT_EQ(contents_of(disk), initial_disk) << "the refused write never happened";
}

TEST_F(BlockDeviceTest, StatusBitsAreWriteOneToClear) {
    issue(reg::command_read, 0, 1, grant_unknown);
    host.run_all();
    const uint32_t failed = reg::status_done | reg::status_error | (reg::error_dma << reg::error_shift);
    EXPECT_EQ(read(reg::status), failed);
    write(reg::status, 0);
    EXPECT_EQ(read(reg::status), failed);
    write(reg::status, reg::error_mask);  // the code alone is not a clear bit
    EXPECT_EQ(read(reg::status), failed);
    write(reg::status, reg::status_done);
    EXPECT_EQ(read(reg::status), reg::status_error | (reg::error_dma << reg::error_shift));
    write(reg::status, reg::status_error);
    EXPECT_EQ(read(reg::status), 0u) << "clearing error clears its code";

    issue(reg::command_read, 0, 1, grant_both);
    write(reg::status, 0xFFFF'FFFF);
    EXPECT_EQ(read(reg::status), reg::status_busy) << "busy is not the driver's to clear";
    host.run_all();
    EXPECT_EQ(read(reg::status), reg::status_done);
}

TEST_F(BlockDeviceTest, TakingACommandClearsTheLastOnesOutcome) {
    issue(reg::command_read, 0, 1, grant_unknown);
    host.run_all();
    EXPECT_NE(read(reg::status) & reg::status_error, 0u);
    issue(reg::command_read, 0, 1, grant_both);
    EXPECT_EQ(read(reg::status), reg::status_busy);
    host.run_all();
    EXPECT_EQ(read(reg::status), reg::status_done);
}

TEST_F(BlockDeviceTest, ParametersAreLatchedWhenTheCommandIsTaken) {
    std::fill(host.memory().begin(), host.memory().begin() + 512, 0xAB);
    issue(reg::command_write, 5, 1, grant_both, 0);
    write(reg::sector_low, 6);
    write(reg::dma_offset, 512);
    write(reg::count, 100);
    host.run_all();
    EXPECT_EQ(read(reg::status), reg::status_done);
    EXPECT_EQ(host.now_ns(), access_ns + ns_per_sector);
    device.reset();
    std::vector<uint8_t> expected = initial_disk;
    std::fill(expected.begin() + 5 * 512, expected.begin() + 6 * 512, 0xAB);
    EXPECT_EQ(contents_of(disk), expected);
}

TEST_F(BlockDeviceTest, FlushCompletesAfterAccessTime) {
    host.run_until(300);
    issue(reg::command_flush, 0, 0, 0);
    EXPECT_EQ(read(reg::status), reg::status_busy);
    host.run_all();
    EXPECT_EQ(host.irq_times(line), (std::vector<uint64_t>{300 + access_ns}));
    EXPECT_EQ(read(reg::status), reg::status_done);
    EXPECT_EQ(read(reg::command), reg::command_flush);
    EXPECT_EQ(read(reg::completed), 1u);
}

TEST_F(BlockDeviceTest, ABackingFileThatFailsGivesIoError) {
    // The file shrinks under the device: its capacity was fixed at start.
    std::filesystem::resize_file(disk, 0);
    EXPECT_EQ(error_code(run(reg::command_read, 0, 1, grant_both)), reg::error_io);
    EXPECT_EQ(host.memory(), std::vector<uint8_t>(memory_bytes, 0)) << "no DMA of data never read";
}

TEST_F(BlockDeviceTest, ABackingFileOfPartialSectorsIsRefused) {
    const std::string odd = dir.file("odd.img");
    write_file(odd, std::vector<uint8_t>(1000));
    try {
        BlockDevice bad(host, BlockConfig{.path = odd});
        FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(odd), std::string::npos) << error.what();
    }
    const std::string missing = dir.file("missing.img");
    try {
        BlockDevice bad(host, BlockConfig{.path = missing});
        FAIL() << "no exception";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(missing), std::string::npos) << error.what();
    }
    EXPECT_FALSE(std::filesystem::exists(missing)) << "never created";
}

TEST_F(BlockDeviceTest, AnEmptyFileIsADiskOfNoSectors) {
    const std::string empty = dir.file("empty.img");
    write_file(empty, {});
    device = std::make_unique<BlockDevice>(host, BlockConfig{.path = empty});
    EXPECT_EQ(read(reg::capacity_low), 0u);
    EXPECT_EQ(error_code(run(reg::command_read, 0, 1, grant_both)), reg::error_range);
}

TEST_F(BlockDeviceTest, UnknownOffsetsReadAllOnesAndNarrowAccessesUseLowBytes) {
    for (uint16_t offset : {uint16_t{0x2C}, uint16_t{0x3C}, uint16_t{0x40}, uint16_t{0x01}, uint16_t{0xFFFF}}) {
        EXPECT_EQ(device->read(offset, 4), 0xFFFF'FFFFu);
        EXPECT_EQ(device->read(offset, 1), 0xFFu);
        device->write(offset, 4, reg::command_read);
    }
    EXPECT_EQ(host.pending_events(), 0u);
    device->write(reg::count, 1, 0x1FF);
    EXPECT_EQ(read(reg::count), 0xFFu);
    EXPECT_EQ(device->read(reg::capacity_low, 1), disk_sectors & 0xFF);
    EXPECT_EQ(device->read(reg::capacity_low, 2), disk_sectors & 0xFFFF);
    write(reg::capacity_low, 1);  // read-only
    write(reg::completed, 1);
    EXPECT_EQ(read(reg::capacity_low), disk_sectors);
    EXPECT_EQ(read(reg::completed), 0u);
}

TEST_F(BlockDeviceTest, GarbageFromAMisbehavingDriverNeverBreaksIt) {
    std::mt19937_64 random(99);
    for (int i = 0; i < 20'000; ++i) {
        const auto offset = static_cast<uint16_t>(random() % 0x48);
        const auto width = static_cast<uint32_t>(random() % 6);
        uint32_t value = static_cast<uint32_t>(random());
        // Small values more often, or no command would ever be valid.
        if (random() % 2) value %= 600;
        if (offset == reg::dma_grant && random() % 2) value = grant_both;
        if (random() % 2)
            device->write(offset, width, value);
        else
            (void)device->read(offset, width);
        host.run_until(host.now_ns() + random() % 200'000);
    }
    EXPECT_LE(host.pending_events(), 1u);
    EXPECT_GT(read(reg::completed), 0u);
}

TEST(BlockDeviceLifetime, DestroyingTheDeviceCancelsItsEvent) {
    test::TempDir dir;
    test::DeviceTestHost host;
    write_file(dir.file("d"), std::vector<uint8_t>(4096));
    {
        BlockDevice device(host, BlockConfig{.path = dir.file("d")});
        device.write(reg::count, 4, 1);
        device.write(reg::command, 4, reg::command_flush);
        EXPECT_EQ(host.pending_events(), 1u);
    }
    EXPECT_EQ(host.pending_events(), 0u);
}

}  // namespace
}  // namespace axl::sim

namespace axl::sim {
namespace {

// Reset is taken even while busy: the command in flight is abandoned (no
// completion, no interrupt) and the status is clear.
TEST_F(BlockDeviceTest, ResetAbandonsTheCommandInFlight) {
    issue(reg::command_read, 0, 8, grant_both);
    host.run_until(1'000);
    EXPECT_EQ(read(reg::status), reg::status_busy);
    write(reg::command, reg::command_reset);
    EXPECT_EQ(read(reg::status), 0u);
    host.run_all();
    EXPECT_EQ(host.irq_count(line), 0u);
    EXPECT_EQ(read(reg::completed), 0u);
    EXPECT_EQ(run(reg::command_read, 0, 1, grant_both), reg::status_done) << "it works normally afterwards";
}

// Injected faults act on the next command only.
TEST_F(BlockDeviceTest, InjectedFaultsActOnTheNextCommand) {
    ASSERT_TRUE(device->inject(DeviceFault::error, 0));
    uint32_t status = run(reg::command_write, 0, 1, grant_both);
    EXPECT_EQ(error_code(status), reg::error_io);
    EXPECT_EQ(run(reg::command_write, 0, 1, grant_both), reg::status_done);

    ASSERT_TRUE(device->inject(DeviceFault::slow, 0));
    issue(reg::command_read, 0, 1, grant_both);
    const uint64_t start = host.now_ns();
    host.run_all();
    EXPECT_EQ(host.irq_times(line).back() - start, 10 * (access_ns + 2'000));

    // A flipped bit on the way to memory: one byte differs from the disk.
    for (size_t i = 0; i < 512; ++i) host.memory()[i] = 0;
    ASSERT_TRUE(device->inject(DeviceFault::corrupt_dma, 7));
    EXPECT_EQ(run(reg::command_read, 0, 1, grant_both), reg::status_done);
    const std::vector<uint8_t> first = memory_range(0, 512);
    EXPECT_EQ(run(reg::command_read, 0, 1, grant_both), reg::status_done);
    const std::vector<uint8_t> second = memory_range(0, 512);
    size_t differing = 0;
    for (size_t i = 0; i < 512; ++i) differing += first[i] != second[i];
    EXPECT_EQ(differing, 1u);

    ASSERT_TRUE(device->inject(DeviceFault::stuck_busy, 0));
    issue(reg::command_read, 0, 1, grant_both);
    host.run_all();
    EXPECT_EQ(read(reg::status), reg::status_busy) << "stuck until a reset";
    write(reg::command, reg::command_reset);
    EXPECT_EQ(run(reg::command_read, 0, 1, grant_both), reg::status_done);
}

}  // namespace
}  // namespace axl::sim
