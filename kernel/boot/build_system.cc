#include "kernel/boot/build_system.h"

#include "kernel/kernel.h"

namespace axl::boot {

namespace {

bool fail(BuildFailure& failure, BuildStep step, uint32_t index, Status status) {
    failure = BuildFailure{.step = step, .index = index, .status = status};
    return false;
}

bool is_about_privilege(BuildStep step) { return step == BuildStep::privilege || step == BuildStep::destination; }

}  // namespace

const char* describe(BuildStep step) {
    switch (step) {
        case BuildStep::program: return "unknown program";
        case BuildStep::privilege: return "no privilege structure left";
        case BuildStep::destination: return "cannot grant destination";
        case BuildStep::reserve_cpu: return "cannot reserve its dedicated CPU";
        case BuildStep::spawn: return "cannot spawn";
        case BuildStep::slot: return "did not get the kernel slot of its place in the boot image";
        case BuildStep::dedicate_cpu: return "cannot dedicate its CPU";
    }
    return "?";
}

uint32_t failure_line(const BootImage& image, const BuildFailure& failure) {
    if (is_about_privilege(failure.step))
        return failure.index < image.privileges.count ? image.privileges[failure.index].line : 0;
    return failure.index < image.processes.count ? image.processes[failure.index].line : 0;
}

const char* failure_subject(const BootImage& image, const BuildFailure& failure) {
    if (is_about_privilege(failure.step))
        return failure.index < image.privileges.count ? image.string(image.privileges[failure.index].name) : "?";
    if (failure.index >= image.processes.count) return "?";
    const ImageProcess& process = image.processes[failure.index];
    return image.string(failure.step == BuildStep::program ? process.program : process.name);
}

bool build_system(Kernel& kernel, const BootImage& image, ProgramCheck has_program, const void* context,
                  BuildFailure& failure) {
    for (uint32_t i = 0; i < image.processes.count; ++i)
        if (!has_program(context, image.string(image.processes[i].program)))
            return fail(failure, BuildStep::program, i, Status::bad_argument);

    // Kernel privilege id of each image privilege.
    uint16_t ids[config::privilege_slots_max];
    if (image.privileges.count > config::privilege_slots_max)
        return fail(failure, BuildStep::privilege, config::privilege_slots_max, Status::bad_argument);
    for (uint32_t p = 0; p < image.privileges.count; ++p) {
        const Status status = kernel.create_privilege(image.privileges[p].spec, ids[p]);
        if (status != Status::ok) return fail(failure, BuildStep::privilege, p, status);
    }
    for (const ImageDestination& destination : image.destinations) {
        if (destination.from >= image.privileges.count || destination.to >= image.privileges.count)
            return fail(failure, BuildStep::destination,
                        destination.from < image.privileges.count ? destination.from : 0, Status::bad_argument);
        const Status status = kernel.allow_destination(ids[destination.from], ids[destination.to]);
        if (status != Status::ok) return fail(failure, BuildStep::destination, destination.from, status);
    }

    for (uint32_t i = 0; i < image.processes.count; ++i)
        if (image.processes[i].privilege >= image.privileges.count)
            return fail(failure, BuildStep::spawn, i, Status::bad_argument);
    for (uint32_t i = 0; i < image.processes.count; ++i) {
        const ImageProcess& process = image.processes[i];
        if (!process.dedicated) continue;
        const Status status = kernel.reserve_cpu(static_cast<uint32_t>(process.cpu));
        if (status != Status::ok) return fail(failure, BuildStep::reserve_cpu, i, status);
    }
    for (uint32_t i = 0; i < image.processes.count; ++i) {
        const ImageProcess& process = image.processes[i];
        const ProcessSpec spec{.name = image.string(process.name),
                               .privilege = ids[process.privilege],
                               .priority = process.priority,
                               .cpu = process.cpu,
                               .quantum_ns = process.quantum_ns};
        Endpoint endpoint;
        Status status = kernel.spawn(spec, endpoint);
        if (status != Status::ok) return fail(failure, BuildStep::spawn, i, status);
        if (endpoint.slot() != i) return fail(failure, BuildStep::slot, i, Status::bad_argument);
        if (process.dedicated) {
            status = kernel.dedicate_cpu(static_cast<uint32_t>(process.cpu), endpoint);
            if (status != Status::ok) return fail(failure, BuildStep::dedicate_cpu, i, status);
        }
    }
    return true;
}

}  // namespace axl::boot
