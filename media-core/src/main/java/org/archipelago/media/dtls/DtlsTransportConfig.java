package org.archipelago.media.dtls;

import org.archipelago.media.srtp.SrtpProfile;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Tunables of a {@link DtlsTransport}.
 *
 * @param handshakeTimeout       the handshake must complete within this time from
 *                               {@link DtlsTransport#start()}, else the transport closes
 * @param initialRetransmit      first flight retransmission timeout, doubled on each loss up to
 *                               60 s (RFC 6347 §4.2.4.1 recommends 1 s)
 * @param mtu                    largest datagram we send; handshake messages are fragmented to fit.
 *                               1200 leaves room for IPv6, UDP and TURN headers on common paths
 * @param receiveQueueCapacity   datagrams buffered between the event loop and the handshake thread
 * @param srtpProfiles           SRTP protection profiles offered (client) or accepted (server), in
 *                               order of preference
 * @param counters               where to count; share one instance to aggregate many transports
 */
public record DtlsTransportConfig(Duration handshakeTimeout,
                                  Duration initialRetransmit,
                                  int mtu,
                                  int receiveQueueCapacity,
                                  List<SrtpProfile> srtpProfiles,
                                  DtlsCounters counters) {

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_INITIAL_RETRANSMIT = Duration.ofSeconds(1);
    public static final int DEFAULT_MTU = 1200;
    /** A full handshake is about a dozen datagrams; 64 absorbs retransmission bursts with margin. */
    public static final int DEFAULT_RECEIVE_QUEUE_CAPACITY = 64;
    /** RFC 6347 §4.2.4.1: back off to at most 60 s; BC caps there too. */
    static final Duration MAX_RETRANSMIT = Duration.ofSeconds(60);
    /** The smallest MTU at which a DTLS-SRTP handshake with a P-256 certificate still fragments sanely. */
    static final int MIN_MTU = 256;

    public DtlsTransportConfig {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(initialRetransmit, "initialRetransmit");
        Objects.requireNonNull(srtpProfiles, "srtpProfiles");
        Objects.requireNonNull(counters, "counters");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive: " + handshakeTimeout);
        }
        if (initialRetransmit.toMillis() < 1 || initialRetransmit.compareTo(MAX_RETRANSMIT) > 0) {
            throw new IllegalArgumentException("initialRetransmit must be between 1 ms and 60 s: " + initialRetransmit);
        }
        if (mtu < MIN_MTU || mtu > 65_507) {
            throw new IllegalArgumentException("mtu must be in [" + MIN_MTU + ", 65507]: " + mtu);
        }
        if (receiveQueueCapacity < 1) {
            throw new IllegalArgumentException("receiveQueueCapacity must be positive: " + receiveQueueCapacity);
        }
        srtpProfiles = List.copyOf(srtpProfiles);
        if (srtpProfiles.isEmpty() || srtpProfiles.size() != srtpProfiles.stream().distinct().count()) {
            throw new IllegalArgumentException("srtpProfiles must be non-empty and distinct: " + srtpProfiles);
        }
    }

    /** 30 s handshake timeout, 1 s initial retransmission, MTU 1200, GCM then AES-CM-HMAC-SHA1-80. */
    public static DtlsTransportConfig defaults() {
        return new DtlsTransportConfig(DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_INITIAL_RETRANSMIT, DEFAULT_MTU,
                DEFAULT_RECEIVE_QUEUE_CAPACITY,
                List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80), new DtlsCounters());
    }

    public DtlsTransportConfig withHandshakeTimeout(Duration value) {
        return new DtlsTransportConfig(value, initialRetransmit, mtu, receiveQueueCapacity, srtpProfiles, counters);
    }

    public DtlsTransportConfig withInitialRetransmit(Duration value) {
        return new DtlsTransportConfig(handshakeTimeout, value, mtu, receiveQueueCapacity, srtpProfiles, counters);
    }

    public DtlsTransportConfig withMtu(int value) {
        return new DtlsTransportConfig(handshakeTimeout, initialRetransmit, value, receiveQueueCapacity, srtpProfiles,
                counters);
    }

    public DtlsTransportConfig withReceiveQueueCapacity(int value) {
        return new DtlsTransportConfig(handshakeTimeout, initialRetransmit, mtu, value, srtpProfiles, counters);
    }

    public DtlsTransportConfig withSrtpProfiles(List<SrtpProfile> value) {
        return new DtlsTransportConfig(handshakeTimeout, initialRetransmit, mtu, receiveQueueCapacity, value,
                counters);
    }

    public DtlsTransportConfig withCounters(DtlsCounters value) {
        return new DtlsTransportConfig(handshakeTimeout, initialRetransmit, mtu, receiveQueueCapacity, srtpProfiles,
                value);
    }
}
