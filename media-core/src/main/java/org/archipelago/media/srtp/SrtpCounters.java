package org.archipelago.media.srtp;

/**
 * Packet and drop counters of one {@link SrtpSession}.
 *
 * <p>Written only by the session's owning thread (its event loop); plain {@code long} fields, no
 * atomics, because the hot path must not pay for sharing. A metrics reader on another thread may
 * see slightly stale values, which is fine for counters; read them on the owning loop when exact
 * values matter (tests do).
 */
public final class SrtpCounters {
    private static final int OPERATIONS = SrtpOperation.values().length;
    private static final int REASONS = SrtpDropReason.values().length;

    private final long[] accepted = new long[OPERATIONS];
    private final long[] drops = new long[OPERATIONS * REASONS];
    private long copiedPackets;
    private long streamsCreated;

    SrtpCounters() {
    }

    void countAccepted(SrtpOperation operation) {
        accepted[operation.ordinal()]++;
    }

    void countDrop(SrtpOperation operation, SrtpDropReason reason) {
        drops[operation.ordinal() * REASONS + reason.ordinal()]++;
    }

    void countCopied() {
        copiedPackets++;
    }

    void countStreamCreated() {
        streamsCreated++;
    }

    /** Packets the operation transformed successfully. */
    public long accepted(SrtpOperation operation) {
        return accepted[operation.ordinal()];
    }

    /** Packets the operation dropped for the reason. */
    public long drops(SrtpOperation operation, SrtpDropReason reason) {
        return drops[operation.ordinal() * REASONS + reason.ordinal()];
    }

    /** Packets dropped for the reason by any operation. */
    public long drops(SrtpDropReason reason) {
        long sum = 0;
        for (int op = 0; op < OPERATIONS; op++) {
            sum += drops[op * REASONS + reason.ordinal()];
        }
        return sum;
    }

    /** Packets dropped by any operation for any reason. */
    public long totalDrops() {
        long sum = 0;
        for (long d : drops) {
            sum += d;
        }
        return sum;
    }

    /**
     * Packets that went through the copy path because their buffer had no accessible array (direct
     * or composite buffers). Non-zero means some producer is not following the heap-buffer contract.
     */
    public long copiedPackets() {
        return copiedPackets;
    }

    /** Per-SSRC crypto contexts created (each costs one key derivation). */
    public long streamsCreated() {
        return streamsCreated;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SrtpCounters{");
        for (SrtpOperation op : SrtpOperation.values()) {
            sb.append(op).append("=").append(accepted(op));
            for (SrtpDropReason reason : SrtpDropReason.values()) {
                long d = drops(op, reason);
                if (d != 0) {
                    sb.append(' ').append(reason).append('=').append(d);
                }
            }
            sb.append(", ");
        }
        return sb.append("copied=").append(copiedPackets)
                .append(", streams=").append(streamsCreated).append('}').toString();
    }
}
