// The UDP wire's Ethernet framing (hw/ether_wire.h), shared by the NE2000
// model and the drivers that translate the net protocol into frames: the
// layout is exact, padding never changes the payload, and decode() refuses
// anything that is not a frame of the wire.
#include "hw/ether_wire.h"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace axl::hw::ether_wire {
namespace {

const uint8_t station[mac_bytes] = {0x02, 0x41, 0x58, 0x4C, 0x00, 0x01};

std::vector<uint8_t> encoded(uint8_t tag, const std::vector<uint8_t>& payload, size_t capacity = max_frame_bytes) {
    uint8_t peer[mac_bytes];
    peer_mac(tag, peer);
    std::vector<uint8_t> frame(capacity);
    frame.resize(encode(peer, station, payload.data(), payload.size(), frame.data(), frame.size()));
    return frame;
}

TEST(EtherWire, AFrameIsMacsEtherTypeLengthPayloadAndPadding) {
    const std::vector<uint8_t> frame = encoded(5, {0xAA, 0xBB, 0xCC});
    const std::vector<uint8_t> expected = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x05,  // to peer 5
        0x02, 0x41, 0x58, 0x4C, 0x00, 0x01,  // from the station
        0x88, 0xB5,                          // EtherType
        0x00, 0x03,                          // three bytes
        0xAA, 0xBB, 0xCC};
    ASSERT_EQ(frame.size(), min_frame_bytes);
    EXPECT_EQ(std::vector<uint8_t>(frame.begin(), frame.begin() + 19), expected);
    EXPECT_EQ(std::vector<uint8_t>(frame.begin() + 19, frame.end()), std::vector<uint8_t>(min_frame_bytes - 19, 0));
}

TEST(EtherWire, DecodeGivesBackThePayloadOfEverySize) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{44}, size_t{45}, size_t{1000}, max_payload_bytes}) {
        std::vector<uint8_t> payload(n);
        for (size_t i = 0; i < n; ++i) payload[i] = static_cast<uint8_t>(i * 13 + 1);
        const std::vector<uint8_t> frame = encoded(63, payload);
        EXPECT_EQ(frame.size(), n + header_bytes < min_frame_bytes ? min_frame_bytes : n + header_bytes);
        Decoded decoded;
        ASSERT_TRUE(decode(frame.data(), frame.size(), decoded)) << n;
        EXPECT_EQ(std::vector<uint8_t>(decoded.payload, decoded.payload + decoded.payload_bytes), payload);
        uint8_t tag = 0;
        ASSERT_TRUE(peer_of(decoded.destination, tag));
        EXPECT_EQ(tag, 63);
        EXPECT_TRUE(same_mac(decoded.source, station));
    }
}

TEST(EtherWire, EncodeRefusesWhatDoesNotFit) {
    std::vector<uint8_t> payload(max_payload_bytes + 1);
    uint8_t frame[max_frame_bytes + 8];
    EXPECT_EQ(encode(station, station, payload.data(), payload.size(), frame, sizeof frame), 0u);
    EXPECT_EQ(encode(station, station, payload.data(), 10, frame, min_frame_bytes - 1), 0u) << "padding must fit too";
    EXPECT_EQ(encode(station, station, payload.data(), 100, frame, header_bytes + 99), 0u);
    EXPECT_EQ(encode(station, station, payload.data(), 100, frame, header_bytes + 100), header_bytes + 100);
}

TEST(EtherWire, DecodeRefusesOtherFrames) {
    std::vector<uint8_t> frame = encoded(1, std::vector<uint8_t>(20, 7));
    Decoded decoded;
    EXPECT_FALSE(decode(frame.data(), header_bytes - 1, decoded)) << "too short for the header";
    std::vector<uint8_t> ipv4 = frame;
    ipv4[12] = 0x08;
    ipv4[13] = 0x00;
    EXPECT_FALSE(decode(ipv4.data(), ipv4.size(), decoded)) << "another EtherType";
    std::vector<uint8_t> lying = frame;
    lying[14] = 0x01;  // 276 bytes claimed in a 60-byte frame
    EXPECT_FALSE(decode(lying.data(), lying.size(), decoded));
    std::vector<uint8_t> huge(max_frame_bytes + 100, 0);
    huge[12] = 0x88;
    huge[13] = 0xB5;
    huge[14] = 0x05;
    huge[15] = 0xDD;  // 1501
    EXPECT_FALSE(decode(huge.data(), huge.size(), decoded)) << "above max_payload_bytes";
}

TEST(EtherWire, PeerMacsAreTheLocallyAdministeredTagAddresses) {
    uint8_t mac[mac_bytes];
    peer_mac(0, mac);
    uint8_t tag = 99;
    EXPECT_TRUE(peer_of(mac, tag));
    EXPECT_EQ(tag, 0);
    const uint8_t beyond[mac_bytes] = {0x02, 0, 0, 0, 0, peer_tags};
    EXPECT_FALSE(peer_of(beyond, tag));
    EXPECT_FALSE(peer_of(broadcast_mac, tag));
    EXPECT_FALSE(peer_of(default_station_mac, tag)) << "the default station is no peer";
    const uint8_t global[mac_bytes] = {0x00, 0, 0, 0, 0, 1};
    EXPECT_FALSE(peer_of(global, tag));
}

}  // namespace
}  // namespace axl::hw::ether_wire
