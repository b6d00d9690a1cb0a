package org.archipelago.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import org.archipelago.server.lesson.LessonError;
import org.archipelago.server.lesson.LessonException;
import org.archipelago.server.lesson.Role;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Signed join tokens: HMAC-SHA256 JWTs (RFC 7519) naming the room and the role, with an expiry.
 *
 * <p>With no secret configured the server is loopback-only and nothing is checked (development);
 * with one, every join, WHIP and WHEP request must carry a token ({@code Authorization: Bearer}),
 * else 401 with a message that says what is missing or wrong.
 */
public final class JoinTokens {
    public static final String ISSUER = "archipelago";
    static final String ROOM_CLAIM = "room";
    static final String ROLE_CLAIM = "role";
    /** Clock skew tolerated on exp/nbf between the token issuer and this server. */
    private static final long LEEWAY_SECONDS = 30;

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final Clock clock;

    /** @param secret the configured {@code auth.secret}; blank means tokens are not required */
    public JoinTokens(String secret) {
        this(secret, Clock.systemUTC());
    }

    JoinTokens(String secret, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (secret == null || secret.isBlank()) {
            this.algorithm = null;
            this.verifier = null;
        } else {
            this.algorithm = Algorithm.HMAC256(secret);
            // BaseVerification is the one public way to give the verifier our clock (tests).
            JWTVerifier.BaseVerification verification = (JWTVerifier.BaseVerification) JWT.require(algorithm)
                    .withIssuer(ISSUER)
                    .withClaimPresence(ROOM_CLAIM)
                    .withClaimPresence(ROLE_CLAIM)
                    .withClaimPresence("exp")
                    .acceptLeeway(LEEWAY_SECONDS);
            this.verifier = verification.build(clock);
        }
    }

    /** Whether requests must carry tokens. */
    public boolean required() {
        return verifier != null;
    }

    /**
     * Checks a request's credentials.
     *
     * @param authorization the {@code Authorization} header value ({@code Bearer <jwt>}) or the bare token, or null
     * @param room          the room the request is for
     * @param allowedRoles  roles that may do this (e.g. WHIP: teacher or classroom)
     * @return the role the token grants, or {@code fallback} when tokens are not required
     * @throws LessonException {@link LessonError#UNAUTHORIZED} or {@link LessonError#FORBIDDEN}, saying why
     */
    public Role check(String authorization, String room, Set<Role> allowedRoles, Role fallback) throws LessonException {
        if (!required()) {
            return fallback;
        }
        if (authorization == null || authorization.isBlank()) {
            throw new LessonException(LessonError.UNAUTHORIZED, "a join token is required (Authorization: Bearer <token>)");
        }
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : authorization.trim();
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (TokenExpiredException e) {
            throw new LessonException(LessonError.UNAUTHORIZED, "the join token has expired");
        } catch (JWTVerificationException e) {
            throw new LessonException(LessonError.UNAUTHORIZED, "the join token is not valid: " + e.getMessage());
        }
        String tokenRoom = jwt.getClaim(ROOM_CLAIM).asString();
        Role role = Role.fromWireName(jwt.getClaim(ROLE_CLAIM).asString());
        if (!room.equals(tokenRoom)) {
            throw new LessonException(LessonError.FORBIDDEN, "the join token is for room '" + tokenRoom + "', not '" + room + "'");
        }
        if (role == null || !allowedRoles.contains(role)) {
            throw new LessonException(LessonError.FORBIDDEN, "the join token's role '" + jwt.getClaim(ROLE_CLAIM).asString()
                    + "' may not do this (allowed: " + allowedRoles.stream().map(Role::wireName).sorted().toList() + ")");
        }
        return role;
    }

    /** Makes a token (for operators' tooling and tests). */
    public String mint(String room, Role role, Duration validFor) {
        if (!required()) {
            throw new IllegalStateException("no auth.secret is configured, so there is nothing to sign tokens with");
        }
        Instant now = clock.instant();
        return JWT.create()
                .withIssuer(ISSUER)
                .withClaim(ROOM_CLAIM, room)
                .withClaim(ROLE_CLAIM, role.wireName())
                .withIssuedAt(now)
                .withExpiresAt(now.plus(validFor))
                .sign(algorithm);
    }
}
