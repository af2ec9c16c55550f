// Baselines for the IPC strategy suite (issue 3): what a round trip or a
// message costs with the tools a hosted system would otherwise use, measured in
// the same binary and run as the strategies, so ratios can be read side by side.
//
//   (the floor, two raw jump_fcontext switches, is bench/ipc_round_trip.cc's
//   BM_RawContextSwitchRoundTrip, in the same axl_bench binary)
//   BM_Baseline_DirectHandoff64             ideal sendrec+reply: 64 B copied each way,
//                                           direct fiber hand-off (two copies, two switches)
//   BM_Baseline_FiberChannelUnbuffered      Boost.Fiber unbuffered_channel round trip
//   BM_Baseline_FiberChannelBuffered        Boost.Fiber buffered_channel (capacity 8) round trip
//   BM_Baseline_FutexRoundTrip/cross_cpu:N  two threads, FUTEX_WAIT/FUTEX_WAKE ping-pong
//   BM_Baseline_PipeRoundTrip/cross_cpu:N   two threads, two pipes, 64 B each way
//   BM_Baseline_UnixSocketRoundTrip/...:N   two threads, socketpair(AF_UNIX, SOCK_STREAM), 64 B
//   BM_Baseline_SpscPushPop                 spsc_queue push + pop, one thread
//   BM_Baseline_SpscStreamCrossThread       spsc_queue streaming, producer thread -> this one
//   BM_Baseline_MpmcPushPop                 boost::lockfree::queue push + pop, one thread
//
// Every message is 64 bytes (Payload64, the size of axl::Message). cross_cpu:0
// pins both threads to the first CPU this process may use, cross_cpu:1 to the
// first two; with fewer than two CPUs the cross-CPU cases are skipped with an
// error. Helper threads are stopped and joined, and the benchmark thread's
// affinity restored, before each run returns.
#include <benchmark/benchmark.h>

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <boost/context/detail/fcontext.hpp>
#include <boost/fiber/buffered_channel.hpp>
#include <boost/fiber/channel_op_status.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/unbuffered_channel.hpp>
#include <boost/lockfree/policies.hpp>
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "kernel/api/message.h"

namespace {

namespace ctx = boost::context::detail;

// A message the size and alignment of axl::Message, trivially copyable so every
// queue and channel accepts it.
struct alignas(64) Payload64 {
    uint64_t words[8];
};
static_assert(sizeof(Payload64) == sizeof(axl::Message), "baselines move axl::Message-sized messages");
static_assert(alignof(Payload64) == alignof(axl::Message));
static_assert(std::is_trivially_copyable_v<Payload64>);

constexpr double kMinTime = 0.2;  // seconds per repetition; keeps the whole file fast

// --- CPU pinning ------------------------------------------------------------------

// The CPUs the calling thread may run on, in order.
std::vector<int> allowed_cpus() {
    std::vector<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) != 0) return cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
    return cpus;
}

bool pin_thread(pthread_t thread, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(thread, sizeof set, &set) == 0;
}

// Saves the calling thread's affinity and restores it on destruction, so a
// pinned benchmark does not leave the runner's thread pinned for the next one.
class AffinityGuard {
public:
    AffinityGuard() {
        CPU_ZERO(&saved_);
        saved_ok_ = pthread_getaffinity_np(pthread_self(), sizeof saved_, &saved_) == 0;
    }
    ~AffinityGuard() {
        if (saved_ok_) (void)pthread_setaffinity_np(pthread_self(), sizeof saved_, &saved_);
    }
    AffinityGuard(const AffinityGuard&) = delete;
    AffinityGuard& operator=(const AffinityGuard&) = delete;

private:
    cpu_set_t saved_;
    bool saved_ok_ = false;
};

// Where the benchmark thread and its helper thread run.
struct CpuPlan {
    int self_cpu = -1;
    int helper_cpu = -1;
    const char* error = nullptr;  // set when the plan cannot be made
};

CpuPlan plan_cpus(bool cross_cpu) {
    CpuPlan plan;
    std::vector<int> cpus = allowed_cpus();
    if (cpus.empty()) {
        plan.error = "cannot read this thread's CPU affinity";
    } else if (cross_cpu && cpus.size() < 2) {
        plan.error = "needs at least 2 CPUs";
    } else {
        plan.self_cpu = cpus[0];
        plan.helper_cpu = cross_cpu ? cpus[1] : cpus[0];
    }
    return plan;
}

std::string cpu_label(const char* what, const CpuPlan& plan) {
    std::string label = what;
    if (plan.self_cpu == plan.helper_cpu)
        label += ", same CPU (" + std::to_string(plan.self_cpu) + ")";
    else
        label += ", across CPUs (" + std::to_string(plan.self_cpu) + "," + std::to_string(plan.helper_cpu) + ")";
    return label;
}

// --- ideal sendrec + reply: direct hand-off with a 64-byte copy each way --------

// The two message buffers, as a kernel would see them: the client's (sendrec's
// argument, overwritten by the reply) and the server's receive buffer.
struct HandoffBoxes {
    Payload64 client;
    Payload64 server;
};

// The server: on each switch in, the request is in its buffer; it answers
// (words[1] = words[0] + 1) and copies the reply into the client's buffer, as
// reply() would, then switches back.
void handoff_server(ctx::transfer_t from) {
    auto* boxes = static_cast<HandoffBoxes*>(from.data);
    from = ctx::jump_fcontext(from.fctx, nullptr);  // started; wait for the first request
    for (;;) {
        boxes->server.words[1] = boxes->server.words[0] + 1;
        std::memcpy(&boxes->client, &boxes->server, sizeof(Payload64));  // copy 2: the reply
        from = ctx::jump_fcontext(from.fctx, nullptr);
    }
}

void BM_Baseline_DirectHandoff64(benchmark::State& state) {
    constexpr size_t stack_bytes = 64 * 1024;
    std::unique_ptr<char[]> stack(new char[stack_bytes]);
    HandoffBoxes boxes{};
    ctx::fcontext_t fiber = ctx::make_fcontext(stack.get() + stack_bytes, stack_bytes, &handoff_server);
    ctx::transfer_t t = ctx::jump_fcontext(fiber, &boxes);  // start it; it jumps straight back
    uint64_t round = 0;
    bool ok = true;
    for (auto _ : state) {
        boxes.client.words[0] = round;
        std::memcpy(&boxes.server, &boxes.client, sizeof(Payload64));  // copy 1: the request
        t = ctx::jump_fcontext(t.fctx, nullptr);
        benchmark::DoNotOptimize(boxes.client);
        ok &= boxes.client.words[1] == round + 1;
        ++round;
    }
    if (!ok) state.SkipWithError("wrong reply");
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("ideal sendrec+reply: 2 x 64 B copy, 2 switches");
}
BENCHMARK(BM_Baseline_DirectHandoff64)->MinTime(kMinTime);

// --- Boost.Fiber channels, same thread ---------------------------------------------

// A server fiber pops requests and pushes replies until the request channel is
// closed; the benchmark thread's main fiber is the client.
template <typename Channel>
void fiber_channel_round_trip(benchmark::State& state, Channel& requests, Channel& replies, const char* label) {
    namespace fibers = boost::fibers;
    fibers::fiber server([&requests, &replies] {
        Payload64 message;
        while (requests.pop(message) == fibers::channel_op_status::success) {
            message.words[1] = message.words[0] + 1;
            if (replies.push(message) != fibers::channel_op_status::success) return;
        }
        replies.close();
    });
    Payload64 message{};
    uint64_t round = 0;
    bool ok = true;
    for (auto _ : state) {
        message.words[0] = round;
        if (requests.push(message) != fibers::channel_op_status::success ||
            replies.pop(message) != fibers::channel_op_status::success) {
            ok = false;
            state.SkipWithError("channel closed");
            break;
        }
        ok &= message.words[1] == round + 1;
        ++round;
    }
    requests.close();
    server.join();
    if (!ok && !state.error_occurred()) state.SkipWithError("wrong reply");
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(label);
}

void BM_Baseline_FiberChannelUnbuffered(benchmark::State& state) {
    boost::fibers::unbuffered_channel<Payload64> requests;
    boost::fibers::unbuffered_channel<Payload64> replies;
    fiber_channel_round_trip(state, requests, replies, "boost::fibers::unbuffered_channel, 64 B, round trip");
}
BENCHMARK(BM_Baseline_FiberChannelUnbuffered)->MinTime(kMinTime);

void BM_Baseline_FiberChannelBuffered(benchmark::State& state) {
    boost::fibers::buffered_channel<Payload64> requests(8);
    boost::fibers::buffered_channel<Payload64> replies(8);
    fiber_channel_round_trip(state, requests, replies, "boost::fibers::buffered_channel(8), 64 B, round trip");
}
BENCHMARK(BM_Baseline_FiberChannelBuffered)->MinTime(kMinTime);

// --- Linux futex ping-pong between two threads --------------------------------------

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) && std::atomic<uint32_t>::is_always_lock_free,
              "a futex word is a lock-free 32-bit atomic");

long futex(std::atomic<uint32_t>& word, int op, uint32_t value) {
    return syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), op, value, nullptr, nullptr, 0);
}

// Two sequence words: the benchmark thread bumps `ping` and wakes the helper,
// the helper copies it to `pong` and wakes the benchmark thread. Every wait is a
// real FUTEX_WAIT (no spinning first), every post a real FUTEX_WAKE.
void BM_Baseline_FutexRoundTrip(benchmark::State& state) {
    const CpuPlan plan = plan_cpus(state.range(0) != 0);
    if (plan.error) {
        state.SkipWithError(plan.error);
        return;
    }
    AffinityGuard restore_affinity;
    if (!pin_thread(pthread_self(), plan.self_cpu)) {
        state.SkipWithError("pthread_setaffinity_np failed");
        return;
    }

    alignas(64) std::atomic<uint32_t> ping{0};
    alignas(64) std::atomic<uint32_t> pong{0};
    std::atomic<bool> stop{false};
    std::thread helper([&] {
        uint32_t seen = 0;
        for (;;) {
            uint32_t now;
            while ((now = ping.load(std::memory_order_acquire)) == seen) futex(ping, FUTEX_WAIT_PRIVATE, seen);
            seen = now;
            if (stop.load(std::memory_order_acquire)) return;
            pong.store(seen, std::memory_order_release);
            futex(pong, FUTEX_WAKE_PRIVATE, 1);
        }
    });
    const bool pinned = pin_thread(helper.native_handle(), plan.helper_cpu);

    uint32_t sequence = 0;
    auto round_trip = [&] {
        ++sequence;
        ping.store(sequence, std::memory_order_release);
        futex(ping, FUTEX_WAKE_PRIVATE, 1);
        uint32_t now;
        while ((now = pong.load(std::memory_order_acquire)) != sequence) futex(pong, FUTEX_WAIT_PRIVATE, now);
    };
    if (pinned) {
        round_trip();  // the helper is running and on its CPU before timing starts
        for (auto _ : state) round_trip();
    }

    stop.store(true, std::memory_order_release);
    ping.store(sequence + 1, std::memory_order_release);
    futex(ping, FUTEX_WAKE_PRIVATE, 1);
    helper.join();
    if (!pinned) {
        state.SkipWithError("pthread_setaffinity_np failed for the helper thread");
        return;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(cpu_label("futex wait/wake", plan));
}
BENCHMARK(BM_Baseline_FutexRoundTrip)->ArgName("cross_cpu")->Arg(0)->Arg(1)->UseRealTime()->MinTime(kMinTime);

// --- pipe and UNIX socket ping-pong between two threads ------------------------------

bool write_full(int fd, const void* data, size_t bytes) {
    auto* p = static_cast<const char*>(data);
    while (bytes) {
        ssize_t n = write(fd, p, bytes);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        bytes -= static_cast<size_t>(n);
    }
    return true;
}

// Reads exactly `bytes`; returns false on end of file or error.
bool read_full(int fd, void* data, size_t bytes) {
    auto* p = static_cast<char*>(data);
    while (bytes) {
        ssize_t n = read(fd, p, bytes);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        bytes -= static_cast<size_t>(n);
    }
    return true;
}

// File descriptors of a two-way byte channel between the benchmark thread
// ("self") and the helper. For a pipe pair all four differ; for a socketpair
// each side reads and writes one socket.
struct FdChannel {
    int self_read = -1;
    int self_write = -1;
    int helper_read = -1;
    int helper_write = -1;
    bool socket = false;

    // Ends the helper: it reads end of file.
    void close_request_side() {
        if (socket) {
            (void)shutdown(self_write, SHUT_WR);
        } else if (self_write >= 0) {
            (void)close(self_write);
            self_write = -1;
        }
    }
    void close_all() {
        int fds[] = {self_read, self_write, helper_read, helper_write};
        for (size_t i = 0; i < 4; ++i) {
            bool seen = false;
            for (size_t j = 0; j < i; ++j) seen |= fds[j] == fds[i];
            if (fds[i] >= 0 && !seen) (void)close(fds[i]);
        }
        self_read = self_write = helper_read = helper_write = -1;
    }
};

// 64-byte request, 64-byte reply per iteration. The helper echoes until end of
// file, then closes its write side so a benchmark thread blocked in read wakes.
void fd_round_trip(benchmark::State& state, FdChannel channel, const char* what) {
    const CpuPlan plan = plan_cpus(state.range(0) != 0);
    if (plan.error) {
        channel.close_all();
        state.SkipWithError(plan.error);
        return;
    }
    AffinityGuard restore_affinity;
    if (!pin_thread(pthread_self(), plan.self_cpu)) {
        channel.close_all();
        state.SkipWithError("pthread_setaffinity_np failed");
        return;
    }

    std::atomic<bool> helper_failed{false};
    std::thread helper([&channel, &helper_failed] {
        Payload64 message;
        while (read_full(channel.helper_read, &message, sizeof message)) {
            message.words[1] = message.words[0] + 1;
            if (!write_full(channel.helper_write, &message, sizeof message)) {
                helper_failed.store(true);
                break;
            }
        }
        // Let a benchmark thread blocked in read see end of file (only on failure
        // can it still be waiting). The benchmark thread touches the helper's
        // descriptors only after join.
        if (channel.socket) {
            (void)shutdown(channel.helper_write, SHUT_WR);
        } else {
            (void)close(channel.helper_write);
            channel.helper_write = -1;
        }
    });
    const bool pinned = pin_thread(helper.native_handle(), plan.helper_cpu);

    Payload64 message{};
    uint64_t round = 0;
    bool ok = true;
    auto round_trip = [&] {
        message.words[0] = round;
        if (!write_full(channel.self_write, &message, sizeof message) ||
            !read_full(channel.self_read, &message, sizeof message))
            return false;
        ok &= message.words[1] == round + 1;
        ++round;
        return true;
    };
    const char* error = nullptr;
    if (!pinned) {
        error = "pthread_setaffinity_np failed for the helper thread";
    } else if (!round_trip()) {
        error = "first round trip failed";
    } else {
        for (auto _ : state) {
            if (!round_trip()) {
                error = "read or write failed";
                state.SkipWithError(error);
                break;
            }
        }
    }

    channel.close_request_side();
    helper.join();
    channel.close_all();
    if (error && !state.error_occurred()) state.SkipWithError(error);
    if (state.error_occurred()) return;
    if (!ok || helper_failed.load()) {
        state.SkipWithError("wrong reply");
        return;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(cpu_label(what, plan));
}

void BM_Baseline_PipeRoundTrip(benchmark::State& state) {
    int request[2];
    int reply[2];
    if (pipe(request) != 0) {
        state.SkipWithError("pipe failed");
        return;
    }
    if (pipe(reply) != 0) {
        (void)close(request[0]);
        (void)close(request[1]);
        state.SkipWithError("pipe failed");
        return;
    }
    FdChannel channel{reply[0], request[1], request[0], reply[1], false};
    fd_round_trip(state, channel, "two pipes, 64 B each way");
}
BENCHMARK(BM_Baseline_PipeRoundTrip)->ArgName("cross_cpu")->Arg(0)->Arg(1)->UseRealTime()->MinTime(kMinTime);

void BM_Baseline_UnixSocketRoundTrip(benchmark::State& state) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        state.SkipWithError("socketpair failed");
        return;
    }
    FdChannel channel{sv[0], sv[0], sv[1], sv[1], true};
    fd_round_trip(state, channel, "socketpair(AF_UNIX, SOCK_STREAM), 64 B each way");
}
BENCHMARK(BM_Baseline_UnixSocketRoundTrip)->ArgName("cross_cpu")->Arg(0)->Arg(1)->UseRealTime()->MinTime(kMinTime);

// --- lock-free queues ---------------------------------------------------------------

void BM_Baseline_SpscPushPop(benchmark::State& state) {
    auto queue = std::make_unique<boost::lockfree::spsc_queue<Payload64, boost::lockfree::capacity<1024>>>();
    Payload64 in{};
    Payload64 out{};
    uint64_t item = 0;
    bool ok = true;
    for (auto _ : state) {
        in.words[0] = item;
        ok &= queue->push(in);
        ok &= queue->pop(out);
        benchmark::DoNotOptimize(out);
        ok &= out.words[0] == item;
        ++item;
    }
    if (!ok) state.SkipWithError("push or pop failed");
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("spsc_queue<64 B, 1024>, push+pop, one thread");
}
BENCHMARK(BM_Baseline_SpscPushPop)->MinTime(kMinTime);

void BM_Baseline_MpmcPushPop(benchmark::State& state) {
    boost::lockfree::queue<Payload64> queue(1024);  // nodes preallocated: no allocation in the loop
    Payload64 in{};
    Payload64 out{};
    uint64_t item = 0;
    bool ok = true;
    for (auto _ : state) {
        in.words[0] = item;
        ok &= queue.push(in);
        ok &= queue.pop(out);
        benchmark::DoNotOptimize(out);
        ok &= out.words[0] == item;
        ++item;
    }
    if (!ok) state.SkipWithError("push or pop failed");
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(queue.is_lock_free() ? "lockfree::queue<64 B>, push+pop, one thread"
                                        : "lockfree::queue<64 B> (NOT lock-free here), push+pop, one thread");
}
BENCHMARK(BM_Baseline_MpmcPushPop)->MinTime(kMinTime);

// A producer thread on the second CPU pushes numbered messages as fast as the
// queue takes them; the benchmark thread, on the first CPU, busy-polls one
// message out per iteration and checks the numbering. The producer stops when
// told, including while it spins on a full queue.
void BM_Baseline_SpscStreamCrossThread(benchmark::State& state) {
    const CpuPlan plan = plan_cpus(true);
    if (plan.error) {
        state.SkipWithError(plan.error);
        return;
    }
    AffinityGuard restore_affinity;
    if (!pin_thread(pthread_self(), plan.self_cpu)) {
        state.SkipWithError("pthread_setaffinity_np failed");
        return;
    }

    using Queue = boost::lockfree::spsc_queue<Payload64, boost::lockfree::capacity<1024>>;
    auto queue = std::make_unique<Queue>();
    alignas(64) std::atomic<bool> stop{false};
    std::thread producer([&queue, &stop] {
        Payload64 message{};
        uint64_t next = 0;
        while (!stop.load(std::memory_order_relaxed)) {
            message.words[0] = next;
            if (queue->push(message)) ++next;
        }
    });
    const bool pinned = pin_thread(producer.native_handle(), plan.helper_cpu);

    Payload64 message;
    uint64_t expected = 0;
    bool ok = true;
    if (pinned) {
        for (auto _ : state) {
            while (!queue->pop(message)) {
            }
            ok &= message.words[0] == expected;
            ++expected;
        }
    }

    stop.store(true, std::memory_order_relaxed);
    producer.join();
    if (!pinned) {
        state.SkipWithError("pthread_setaffinity_np failed for the producer thread");
        return;
    }
    if (!ok) {
        state.SkipWithError("messages out of order");
        return;
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(cpu_label("spsc_queue<64 B, 1024> stream, busy-poll pop", plan));
}
BENCHMARK(BM_Baseline_SpscStreamCrossThread)->UseRealTime()->MinTime(kMinTime);

}  // namespace
