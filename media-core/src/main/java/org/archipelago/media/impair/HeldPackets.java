package org.archipelago.media.impair;

import io.netty.buffer.ByteBuf;

/**
 * The packets an impaired link holds, ordered by the time they are due: a binary min-heap over
 * arrays allocated once, so holding a packet allocates nothing. Packets due at the same time leave
 * in the order they were added.
 *
 * <p>Ownership: {@link #add} takes the buffer over; {@link #pollDue} hands it back to the caller;
 * {@link #releaseAll} releases whatever is still held. Not thread-safe: one link, one event loop.
 */
final class HeldPackets {
    private final long[] due;
    private final long[] order;
    private final ByteBuf[] packets;
    private int size;
    private long added;

    HeldPackets(int capacity) {
        due = new long[capacity];
        order = new long[capacity];
        packets = new ByteBuf[capacity];
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == packets.length;
    }

    /** When the first packet is due, or {@link Long#MAX_VALUE} when nothing is held. */
    long nextDueNanos() {
        return size == 0 ? Long.MAX_VALUE : due[0];
    }

    /** Holds {@code packet} until {@code dueNanos}; the caller checked {@link #isFull()}. */
    void add(ByteBuf packet, long dueNanos) {
        int i = size++;
        due[i] = dueNanos;
        order[i] = added++;
        packets[i] = packet;
        siftUp(i);
    }

    /** Removes and returns the first packet if it is due at {@code nowNanos}, else null. */
    ByteBuf pollDue(long nowNanos) {
        if (size == 0 || due[0] - nowNanos > 0) {
            return null;
        }
        ByteBuf first = packets[0];
        int last = --size;
        move(last, 0);
        packets[last] = null;
        if (size > 0) {
            siftDown(0);
        }
        return first;
    }

    void releaseAll() {
        for (int i = 0; i < size; i++) {
            packets[i].release();
            packets[i] = null;
        }
        size = 0;
    }

    private boolean before(int a, int b) {
        long d = due[a] - due[b];
        return d < 0 || (d == 0 && order[a] < order[b]);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int smallest = left;
            int right = left + 1;
            if (right < size && before(right, left)) {
                smallest = right;
            }
            if (!before(smallest, i)) {
                return;
            }
            swap(i, smallest);
            i = smallest;
        }
    }

    private void move(int from, int to) {
        due[to] = due[from];
        order[to] = order[from];
        packets[to] = packets[from];
    }

    private void swap(int a, int b) {
        long d = due[a];
        due[a] = due[b];
        due[b] = d;
        long o = order[a];
        order[a] = order[b];
        order[b] = o;
        ByteBuf p = packets[a];
        packets[a] = packets[b];
        packets[b] = p;
    }
}
