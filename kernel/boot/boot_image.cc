#include "kernel/boot/boot_image.h"

#include "kernel/lib/c_string.h"

namespace axl::boot {

const char* to_string(Expectation expectation) {
    switch (expectation) {
        case Expectation::exit: return "exit";
        case Expectation::serve: return "serve";
        case Expectation::fault: return "fault";
    }
    return "?";
}

void BootImage::clear() {
    name = 0;
    cpus = 0;
    ipc = IpcStrategyKind::rendezvous;
    ring_capacity = 0;
    seed = 0;
    privileges.count = 0;
    destinations.count = 0;
    processes.count = 0;
    args.count = 0;
    text_used = 0;
}

int32_t find_privilege(const BootImage& image, const char* name) {
    for (uint32_t i = 0; i < image.privileges.count; ++i)
        if (c_string::equal(image.string(image.privileges[i].name), name)) return static_cast<int32_t>(i);
    return -1;
}

int32_t find_process(const BootImage& image, const char* name) {
    for (uint32_t i = 0; i < image.processes.count; ++i)
        if (c_string::equal(image.string(image.processes[i].name), name)) return static_cast<int32_t>(i);
    return -1;
}

const ImageArg* find_arg(const BootImage& image, uint32_t process, const char* key) {
    if (process >= image.processes.count) return nullptr;
    const ImageProcess& owner = image.processes[process];
    for (uint32_t i = 0; i < owner.arg_count; ++i) {
        const ImageArg& arg = image.args[owner.first_arg + i];
        if (c_string::equal(image.string(arg.key), key)) return &arg;
    }
    return nullptr;
}

int64_t arg_int(const BootImage& image, uint32_t process, const char* key, int64_t fallback) {
    const ImageArg* arg = find_arg(image, process, key);
    return arg != nullptr && arg->is_int ? arg->int_value : fallback;
}

const char* arg_string(const BootImage& image, uint32_t process, const char* key, const char* fallback) {
    const ImageArg* arg = find_arg(image, process, key);
    return arg != nullptr && !arg->is_int ? image.string(arg->string_value) : fallback;
}

}  // namespace axl::boot
