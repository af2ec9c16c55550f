#include "sim/harness/trace_export.h"

#include <iterator>

namespace axl::sim {
namespace trace_export {
namespace {

constexpr FieldMeaning k_field_meanings[trace_kind_count] = {
    /* send        */ {"sender", "to", "type", true, true, false},
    /* deliver     */ {"receiver", "from", "type", true, true, false},
    /* buffered    */ {"sender", "to", "type", true, true, false},
    /* block       */ {"process", "on", "primitive", true, true, false},
    /* wake        */ {"process", "by", "status", true, true, false},
    /* dispatch    */ {"process", "previous", "cpu", true, true, false},
    /* notify      */ {"notifier", "to", "privilege_bit", true, true, false},
    /* kernel_call */ {"caller", "call", "status", true, false, false},
    /* denied      */ {"caller", "call", "status", true, false, false},
    /* exit        */ {"process", "status", "unused", true, false, true},
    /* fault       */ {"process", "fault", "detail", true, false, false},
    /* spawn       */ {"process", "endpoint", "cpu", true, false, false},
    /* idle        */ {"cpu", "unused", "unused", false, false, false},
    /* quantum     */ {"process", "priority", "unused", true, false, false},
    /* interrupt   */ {"line", "owner", "cpu", false, true, false},
    /* alarm       */ {"process", "unused", "unused", true, false, false},
    /* kill        */ {"process", "by", "unused", true, true, false},
    /* restart     */ {"process", "endpoint", "by", true, false, false},
    /* injected    */ {"target", "fault_kind", "fault", true, false, false},
    /* device_event*/ {"device", "event", "name_hash", false, false, false},
};
static_assert(std::size(k_field_meanings) == trace_kind_count);

constexpr FieldMeaning k_unknown_kind_meaning = {"a", "b", "c", false, false, false};

}  // namespace

const FieldMeaning& meaning_of(TraceKind kind) {
    const auto index = static_cast<uint32_t>(kind);
    return index < trace_kind_count ? k_field_meanings[index] : k_unknown_kind_meaning;
}

}  // namespace trace_export

}  // namespace axl::sim
