package org.archipelago.media.dtls;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one or many {@link DtlsTransport}s: pass one instance in every transport's
 * {@link DtlsTransportConfig} to aggregate a whole server, or let each transport have its own.
 *
 * <p>Thread-safe: the receive path counts on the event loop, the handshake on the executor.
 */
public final class DtlsCounters {
    private final LongAdder datagramsReceived = new LongAdder();
    private final LongAdder droppedQueueFull = new LongAdder();
    private final LongAdder droppedInvalid = new LongAdder();
    private final LongAdder droppedClosed = new LongAdder();
    private final LongAdder sendErrors = new LongAdder();
    private final LongAdder handshakesCompleted = new LongAdder();
    private final LongAdder applicationDataRecords = new LongAdder();
    private final LongAdder[] handshakeFailures = new LongAdder[DtlsFailureReason.values().length];

    public DtlsCounters() {
        for (int i = 0; i < handshakeFailures.length; i++) {
            handshakeFailures[i] = new LongAdder();
        }
    }

    /** Datagrams handed to {@link DtlsTransport#receive}, whatever became of them. */
    public long datagramsReceived() {
        return datagramsReceived.sum();
    }

    /** Datagrams dropped because the handshake thread had not yet drained the bounded queue. */
    public long datagramsDroppedQueueFull() {
        return droppedQueueFull.sum();
    }

    /** Datagrams dropped on arrival: empty or larger than the receive limit. */
    public long datagramsDroppedInvalid() {
        return droppedInvalid.sum();
    }

    /** Datagrams that arrived after the transport closed. */
    public long datagramsDroppedClosed() {
        return droppedClosed.sum();
    }

    /** Datagrams the {@link DatagramSender} threw on (treated as lost). */
    public long sendErrors() {
        return sendErrors.sum();
    }

    public long handshakesCompleted() {
        return handshakesCompleted.sum();
    }

    /** Failed handshakes, all reasons. */
    public long handshakeFailuresTotal() {
        long total = 0;
        for (LongAdder adder : handshakeFailures) {
            total += adder.sum();
        }
        return total;
    }

    public long handshakeFailures(DtlsFailureReason reason) {
        return handshakeFailures[reason.ordinal()].sum();
    }

    /** Failed handshakes by reason, every reason present (zero included). */
    public Map<DtlsFailureReason, Long> handshakeFailuresByReason() {
        EnumMap<DtlsFailureReason, Long> out = new EnumMap<>(DtlsFailureReason.class);
        for (DtlsFailureReason reason : DtlsFailureReason.values()) {
            out.put(reason, handshakeFailures[reason.ordinal()].sum());
        }
        return out;
    }

    /** Application data records received after the handshake (ignored until data channels exist). */
    public long applicationDataRecords() {
        return applicationDataRecords.sum();
    }

    void datagramReceived() {
        datagramsReceived.increment();
    }

    void droppedQueueFull() {
        droppedQueueFull.increment();
    }

    void droppedInvalid() {
        droppedInvalid.increment();
    }

    void droppedClosed() {
        droppedClosed.increment();
    }

    void sendError() {
        sendErrors.increment();
    }

    void handshakeCompleted() {
        handshakesCompleted.increment();
    }

    void handshakeFailed(DtlsFailureReason reason) {
        handshakeFailures[reason.ordinal()].increment();
    }

    void applicationDataRecord() {
        applicationDataRecords.increment();
    }
}
