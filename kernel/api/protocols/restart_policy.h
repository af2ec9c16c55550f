// Restart policies: how the reincarnation server (servers/rs.cc) treats each
// service it watches ([process.restart] in a system description), and how the
// policies reach it: as its program arguments, written with encode() by
// whoever builds the system (the description reader) and read back with
// decode() by rs. One header for both ends keeps the argument names and their
// encoding in one place.
//
//   service_count            how many services (0..services_max)
//   service.<i>.name         the service's process name
//   service.<i>.heartbeat    Policy::heartbeat_ns
//   service.<i>.missed       Policy::missed
//   service.<i>.limit        Policy::limit
//   service.<i>.backoff      Policy::backoff_ns
//   service.<i>.backoff_max  Policy::backoff_max_ns
//   service.<i>.with         Policy::with, names separated by commas
//   service.<i>.notify       Policy::notify, likewise
//
// Freestanding (rs runs on bare metal too): no heap, no exceptions. The name
// lists are a type parameter: the host keeps them in a std::vector of
// std::string, rs in fixed arrays.
#pragma once

#include <cstddef>
#include <cstdint>

namespace axl::restart_policy {

inline constexpr uint32_t services_max = 32;  // services one rs watches
inline constexpr const char* service_count_key = "service_count";

template <typename NameList>
struct Policy {
    uint64_t heartbeat_ns = 0;              // ping period; 0: no heartbeat
    uint32_t missed = 3;                    // pings unanswered in a row that mean a hang
    uint32_t limit = 10;                    // restarts in total before it gives up
    uint64_t backoff_ns = 0;                // delay before the first restart, doubling after each
    uint64_t backoff_max_ns = 100'000'000;  // the doubling stops here
    NameList with{};                        // restarted along with it (killed first if alive)
    NameList notify{};                      // told (a notification from rs) once it is back
};

// "service.<index>.<field>": long enough for any index and field below.
struct ServiceKey {
    char text[40] = {};

    ServiceKey(uint32_t index, const char* field) {
        size_t length = 0;
        for (const char* c = "service."; *c; ++c) text[length++] = *c;
        char digits[10];
        size_t count = 0;
        do {
            digits[count++] = static_cast<char>('0' + index % 10);
            index /= 10;
        } while (index);
        while (count) text[length++] = digits[--count];
        text[length++] = '.';
        for (const char* c = field; *c; ++c) text[length++] = *c;
        text[length] = '\0';
    }
};

// Writes service `index`'s arguments. Sink:
//   integer(const char* key, int64_t value)
//   string(const char* key, const char* chars, size_t length)   sets the string
//   append(const char* key, const char* chars, size_t length)   adds to it
// NameList: a range of strings with data() and size().
template <typename Sink, typename Name, typename NameList>
void encode(Sink& sink, uint32_t index, const Name& name, const Policy<NameList>& policy) {
    auto names = [&](const char* field, const NameList& list) {
        const ServiceKey key(index, field);
        sink.string(key.text, "", 0);
        bool first = true;
        for (const auto& entry : list) {
            if (!first) sink.append(key.text, ",", 1);
            sink.append(key.text, entry.data(), entry.size());
            first = false;
        }
    };
    sink.string(ServiceKey(index, "name").text, name.data(), name.size());
    sink.integer(ServiceKey(index, "heartbeat").text, static_cast<int64_t>(policy.heartbeat_ns));
    sink.integer(ServiceKey(index, "missed").text, static_cast<int64_t>(policy.missed));
    sink.integer(ServiceKey(index, "limit").text, static_cast<int64_t>(policy.limit));
    sink.integer(ServiceKey(index, "backoff").text, static_cast<int64_t>(policy.backoff_ns));
    sink.integer(ServiceKey(index, "backoff_max").text, static_cast<int64_t>(policy.backoff_max_ns));
    names("with", policy.with);
    names("notify", policy.notify);
}

// Reads service `index`'s policy back and returns its name ("" if missing);
// what the arguments do not say keeps Policy's default. Source:
//   int64_t integer(const char* key, int64_t fallback) const
//   const char* string(const char* key, const char* fallback) const
// NameList: add(const char* chars, size_t length), given each non-empty name.
template <typename Source, typename NameList>
const char* decode(const Source& args, uint32_t index, Policy<NameList>& policy) {
    auto number = [&](const char* field, auto fallback) {
        return static_cast<decltype(fallback)>(args.integer(ServiceKey(index, field).text, static_cast<int64_t>(fallback)));
    };
    auto names = [&](const char* field, NameList& list) {
        const char* text = args.string(ServiceKey(index, field).text, "");
        while (*text) {
            size_t length = 0;
            while (text[length] && text[length] != ',') ++length;
            if (length > 0) list.add(text, length);
            text += length;
            if (*text == ',') ++text;
        }
    };
    policy.heartbeat_ns = number("heartbeat", policy.heartbeat_ns);
    policy.missed = number("missed", policy.missed);
    policy.limit = number("limit", policy.limit);
    policy.backoff_ns = number("backoff", policy.backoff_ns);
    policy.backoff_max_ns = number("backoff_max", policy.backoff_max_ns);
    names("with", policy.with);
    names("notify", policy.notify);
    return args.string(ServiceKey(index, "name").text, "");
}

}  // namespace axl::restart_policy
