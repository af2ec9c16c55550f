// The list of device kinds. Each kind is defined beside its model; this is the
// one place that names them all.
//
// An explicit table rather than self-registration (as AXL_PROGRAM does):
// - the models are part of the static library axl_sim, and the linker keeps
//   an object file of an archive only when something refers to it; a kind
//   that registered itself from a static constructor would vanish from every
//   binary that happens not to use its model directly. Referring to each
//   kind here keeps them all in every binary that reads descriptions.
// - the table is constant-initialised: nothing runs before main, so there is
//   no static-initialisation order to get wrong.
// - the order is the listing order (`axl list`, "expected timer, uart, block
//   or nic"); registration order would be link order.
#include <algorithm>
#include <array>

#include "sim/machine/device_kind.h"

namespace axl::sim {

extern const DeviceKind timer_kind;
extern const DeviceKind uart_kind;
extern const DeviceKind block_kind;
extern const DeviceKind nic_kind;
extern const DeviceKind ne2000_kind;
extern const DeviceKind pvpanic_pci_kind;
extern const DeviceKind i6300esb_kind;
extern const DeviceKind ib700_kind;
extern const DeviceKind ne2k_pci_kind;
extern const DeviceKind edu_kind;

namespace {
constexpr std::array<const DeviceKind*, 10> kinds = {&timer_kind,    &uart_kind,   &block_kind,       &nic_kind,
                                                     &ne2000_kind,   &pvpanic_pci_kind, &i6300esb_kind, &ib700_kind,
                                                     &ne2k_pci_kind, &edu_kind};
}  // namespace

std::span<const DeviceKind* const> device_kinds() { return kinds; }

const DeviceKind* find_device_kind(std::string_view name) {
    auto found = std::find_if(kinds.begin(), kinds.end(), [&](const DeviceKind* kind) { return name == kind->name; });
    return found == kinds.end() ? nullptr : *found;
}

}  // namespace axl::sim
