// The fuzz targets without libFuzzer: runs every file named on the command
// line (a folder: every regular file in it, in name order) once through
// LLVMFuzzerTestOneInput, as libFuzzer runs a corpus before it mutates. The
// gcc build links each fuzz/*_fuzzer.cc with this into bin/fuzz/NAME_replay,
// and CTest runs it over the target's seeds and regressions, so a crash that
// was fixed stays fixed in every `make test` (docs/testing.md, "Fuzzing").
// A crash is the process dying (an abort, a fault, an uncaught exception);
// it prints each file before running it, so the last line names the input.
// Paths after --if-exists are skipped when missing (what another target of
// the build makes, if it was built); any other missing path is an error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_of(const fs::path& path) {
    std::vector<fs::path> inputs;
    if (fs::is_directory(path)) {
        for (const auto& entry : fs::directory_iterator(path))
            if (entry.is_regular_file()) inputs.push_back(entry.path());
        std::sort(inputs.begin(), inputs.end());
    } else {
        inputs.push_back(path);
    }
    return inputs;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE|FOLDER... [--if-exists FILE|FOLDER...]: runs each input once\n",
                     argv[0]);
        return 2;
    }
    size_t runs = 0;
    bool optional = false;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--if-exists") {
            optional = true;
            continue;
        }
        if (!fs::exists(argv[i])) {
            if (optional) continue;
            std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
            return 2;
        }
        for (const fs::path& input : inputs_of(argv[i])) {
            std::ifstream in(input, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "%s: cannot read\n", input.c_str());
                return 2;
            }
            const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            std::printf("%s (%zu bytes)\n", input.c_str(), bytes.size());
            std::fflush(stdout);
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
            ++runs;
        }
    }
    std::printf("%zu inputs ran, none crashed\n", runs);
    return 0;
}
