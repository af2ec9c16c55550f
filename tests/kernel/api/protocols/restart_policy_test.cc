// Restart policies as arguments: what encode writes, decode reads back
// unchanged, under the documented argument names; what is missing keeps the
// policy's defaults.
#include "kernel/api/protocols/restart_policy.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace axl::restart_policy {
namespace {

using Value = std::variant<int64_t, std::string>;
using Names = std::vector<std::string>;

// Program arguments, as a map both ends share.
struct Arguments {
    std::map<std::string, Value> values;

    void integer(const char* key, int64_t value) { values[key] = value; }
    void string(const char* key, const char* chars, size_t length) { values[key] = std::string(chars, length); }
    void append(const char* key, const char* chars, size_t length) {
        std::get<std::string>(values.at(key)).append(chars, length);
    }
    int64_t integer(const char* key, int64_t fallback) const {
        auto found = values.find(key);
        return found == values.end() ? fallback : std::get<int64_t>(found->second);
    }
    const char* string(const char* key, const char* fallback) const {
        auto found = values.find(key);
        return found == values.end() ? fallback : std::get<std::string>(found->second).c_str();
    }
};

// What rs keeps: names as they arrive, no heap needed by the decoder itself.
struct ReceivedNames {
    std::vector<std::string> names;
    void add(const char* chars, size_t length) { names.emplace_back(chars, length); }
};

Policy<Names> example() {
    Policy<Names> policy;
    policy.heartbeat_ns = 1'000'000;
    policy.missed = 5;
    policy.limit = 7;
    policy.backoff_ns = 20'000;
    policy.backoff_max_ns = 3'000'000;
    policy.with = {"storage", "cache"};
    policy.notify = {"client"};
    return policy;
}

TEST(RestartPolicy, WhatIsEncodedDecodesUnchanged) {
    Arguments args;
    const Policy<Names> sent = example();
    encode(args, 3, std::string("block"), sent);

    Policy<ReceivedNames> received;
    EXPECT_STREQ(decode(args, 3, received), "block");
    EXPECT_EQ(received.heartbeat_ns, sent.heartbeat_ns);
    EXPECT_EQ(received.missed, sent.missed);
    EXPECT_EQ(received.limit, sent.limit);
    EXPECT_EQ(received.backoff_ns, sent.backoff_ns);
    EXPECT_EQ(received.backoff_max_ns, sent.backoff_max_ns);
    EXPECT_EQ(received.with.names, sent.with);
    EXPECT_EQ(received.notify.names, sent.notify);
}

// The names are what system files and docs/system-file.md show.
TEST(RestartPolicy, ArgumentsHaveTheDocumentedNamesAndShapes) {
    Arguments args;
    encode(args, 12, std::string("block"), example());
    const std::map<std::string, Value> expected = {
        {"service.12.name", std::string("block")},  {"service.12.heartbeat", int64_t{1'000'000}},
        {"service.12.missed", int64_t{5}},          {"service.12.limit", int64_t{7}},
        {"service.12.backoff", int64_t{20'000}},    {"service.12.backoff_max", int64_t{3'000'000}},
        {"service.12.with", std::string("storage,cache")}, {"service.12.notify", std::string("client")},
    };
    EXPECT_EQ(args.values, expected);
    EXPECT_STREQ(service_count_key, "service_count");
}

TEST(RestartPolicy, EmptyListsAreEmptyStringsAndDecodeEmpty) {
    Arguments args;
    encode(args, 0, std::string("x"), Policy<Names>{});
    EXPECT_EQ(std::get<std::string>(args.values.at("service.0.with")), "");
    Policy<ReceivedNames> received;
    decode(args, 0, received);
    EXPECT_TRUE(received.with.names.empty());
    EXPECT_TRUE(received.notify.names.empty());
}

TEST(RestartPolicy, MissingArgumentsKeepTheDefaults) {
    const Arguments none;
    Policy<ReceivedNames> received;
    EXPECT_STREQ(decode(none, 0, received), "");
    const Policy<Names> defaults;
    EXPECT_EQ(received.heartbeat_ns, defaults.heartbeat_ns);
    EXPECT_EQ(received.missed, defaults.missed);
    EXPECT_EQ(received.limit, defaults.limit);
    EXPECT_EQ(received.backoff_ns, defaults.backoff_ns);
    EXPECT_EQ(received.backoff_max_ns, defaults.backoff_max_ns);
}

// Written by hand (a system file), a list may hold stray commas.
TEST(RestartPolicy, EmptyNamesInAListAreSkipped) {
    Arguments args;
    args.values["service.0.with"] = std::string(",a,,b,");
    Policy<ReceivedNames> received;
    decode(args, 0, received);
    EXPECT_EQ(received.with.names, (std::vector<std::string>{"a", "b"}));
}

TEST(RestartPolicy, ServiceKeysSpellEveryIndex) {
    EXPECT_STREQ(ServiceKey(0, "name").text, "service.0.name");
    EXPECT_STREQ(ServiceKey(4294967295u, "backoff_max").text, "service.4294967295.backoff_max");
}

}  // namespace
}  // namespace axl::restart_policy
