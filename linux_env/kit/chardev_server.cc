// The chardev protocol (kernel/api/protocols/chardev.h), served for the
// character devices the driver's Linux code registered (linux_env/emul/
// chardev.c). Each request runs with the client's grant as user memory, so
// the driver's copy_from_user/copy_to_user reach exactly what the client lent.
#include <cstdint>

#include "kernel/api/grant.h"
#include "kernel/api/protocols/chardev.h"
#include "linux_env/kit/chardev_server.h"
#include "linux_env/kit/lx_kit.h"

namespace axl::linux_env {

namespace {

// The user memory of the request being served. Reset with the process's data.
Endpoint user_client = endpoints::none;
GrantId user_grant{};

// While a request runs, its grant is the user memory.
class UserMemory {
public:
    UserMemory(Endpoint client, GrantId grant) {
        user_client = client;
        user_grant = grant;
    }
    ~UserMemory() {
        user_client = endpoints::none;
        user_grant = {};
    }
    UserMemory(const UserMemory&) = delete;
    UserMemory& operator=(const UserMemory&) = delete;
};

constexpr int64_t linux_einval = 22;

}  // namespace

bool serve_chardev(const Message& request, Message& answer) {
    if (request.type < chardev::open || request.type > chardev::release) return false;
    answer.type = chardev::reply;
    answer.payload.words[0] = static_cast<uint64_t>(Status::ok);
    const uint64_t* words = request.payload.words;
    const unsigned long owner = request.source.raw;
    const int handle = static_cast<int>(static_cast<int64_t>(words[0]));
    int64_t result = -linux_einval;
    switch (request.type) {
        case chardev::open: {
            char name[chardev::name_bytes];
            size_t i = 0;
            for (; i < chardev::name_bytes && request.payload.bytes[chardev::text_offset + i]; ++i)
                name[i] = static_cast<char>(request.payload.bytes[chardev::text_offset + i]);
            if (i == chardev::name_bytes || i == 0) {
                answer.payload.words[0] = static_cast<uint64_t>(Status::bad_argument);
                return true;
            }
            name[i] = '\0';
            result = lx_emul_chardev_open(name, static_cast<unsigned int>(words[0]), owner);
            break;
        }
        case chardev::read: {
            UserMemory memory(request.source, GrantId{static_cast<uint32_t>(words[1])});
            result = lx_emul_chardev_read(handle, owner, words[2]);
            break;
        }
        case chardev::write: {
            UserMemory memory(request.source, GrantId{static_cast<uint32_t>(words[1])});
            result = lx_emul_chardev_write(handle, owner, words[2]);
            break;
        }
        case chardev::ioctl: {
            GrantId grant{static_cast<uint32_t>(words[2])};
            UserMemory memory(request.source, grant);
            unsigned long argument = grant.raw ? LX_KIT_USER_BASE : words[3];
            result = lx_emul_chardev_ioctl(handle, owner, static_cast<unsigned int>(words[1]), argument);
            break;
        }
        case chardev::release:
            result = lx_emul_chardev_release(handle, owner);
            break;
    }
    answer.payload.words[1] = static_cast<uint64_t>(result);
    return true;
}

}  // namespace axl::linux_env

extern "C" unsigned long lx_kit_user_read(void* to, unsigned long user_address, unsigned long bytes) {
    using namespace axl::linux_env;
    if (bytes == 0) return 0;
    if (user_grant.raw == 0 || user_address < LX_KIT_USER_BASE) return bytes;
    return axl::safecopy_from(user_client, user_grant, user_address - LX_KIT_USER_BASE, to, bytes) == axl::Status::ok
               ? 0
               : bytes;
}

extern "C" unsigned long lx_kit_user_write(unsigned long user_address, const void* from, unsigned long bytes) {
    using namespace axl::linux_env;
    if (bytes == 0) return 0;
    if (user_grant.raw == 0 || user_address < LX_KIT_USER_BASE) return bytes;
    return axl::safecopy_to(user_client, user_grant, user_address - LX_KIT_USER_BASE, from, bytes) == axl::Status::ok
               ? 0
               : bytes;
}
