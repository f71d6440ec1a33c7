package chat.common.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * Mints HS256 tokens with the dev stack's secret: for the dev stack, tests and benchmarks only.
 * Production tokens come from the company's identity provider (RS256 via JWKS) or a login service
 * holding the HS256 secret; nothing in the services calls this.
 *
 * <pre>{@code
 * DevTokens tokens = new DevTokens(secret);
 * String jwt = tokens.mint("alice", Duration.ofHours(12));
 * }</pre>
 */
public final class DevTokens {
    /** Issuer claim of dev tokens. */
    public static final String ISSUER = "chat-dev";
    /** The Micronaut property holding the accepted HS256 secret. */
    public static final String SECRET_PROPERTY = "micronaut.security.token.jwt.signatures.secret.generator.secret";

    private final MACSigner signer;

    /** @param secret at least 32 bytes of UTF-8 (HS256 needs a 256-bit key) */
    public DevTokens(final String secret) {
        try {
            this.signer = new MACSigner(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("HS256 secret must be at least 32 bytes: " + e.getMessage(), e);
        }
    }

    /** A fresh random secret (base64url, 43 characters, 256 bits). */
    public static String randomSecret() {
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A token for {@code user} valid for {@code ttl}. */
    public String mint(final String user, final Duration ttl) {
        final Instant now = Instant.now();
        return sign(new JWTClaimsSet.Builder()
                .subject(user)
                .issuer(ISSUER)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .build());
    }

    /** Signs arbitrary claims (tests: expired, no exp, future nbf). */
    public String sign(final JWTClaimsSet claims) {
        final SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a dev token", e);
        }
        return jwt.serialize();
    }
}
