package org.archipelago.server.lesson;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The signaling connection of a participant (its WebSocket), for the room's events. WHIP and WHEP
 * participants have none. Implementations must be callable from any thread and never block.
 */
public interface ParticipantChannel {
    /** Sends one message. */
    void send(ObjectNode message);

    /** Sends a last message and closes the connection. */
    void close(ObjectNode lastMessage);
}
