package com.example.security;

import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.apache.commons.codec.digest.DigestUtils;
import org.mindrot.jbcrypt.BCrypt;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.NoOpPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;
import org.springframework.security.crypto.password.StandardPasswordEncoder;
import org.springframework.security.crypto.scrypt.SCryptPasswordEncoder;

@Configuration
class PasswordConfig {
    private static final int BCRYPT_STRENGTH = 13;

    @Value("${security.bcrypt.strength:12}")
    private int configuredStrength;

    @Bean
    PasswordEncoder passwordEncoder() {
        // ruleid: vibeward.java.password_hashing.bcrypt-encoder-strength
        return new BCryptPasswordEncoder(12);
    }

    PasswordEncoder withVersion() {
        // ruleid: vibeward.java.password_hashing.bcrypt-encoder-strength
        return new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2B, 14, new SecureRandom());
    }

    PasswordEncoder fromConstant() {
        // ruleid: vibeward.java.password_hashing.bcrypt-encoder-strength
        return new BCryptPasswordEncoder(BCRYPT_STRENGTH);
    }

    PasswordEncoder defaults() {
        // ruleid: vibeward.java.password_hashing.bcrypt-encoder-default
        return new BCryptPasswordEncoder();
    }

    PasswordEncoder versionOnly() {
        // ok: vibeward.java.password_hashing.bcrypt-encoder-strength
        // ruleid: vibeward.java.password_hashing.bcrypt-encoder-default
        return new BCryptPasswordEncoder(BCryptPasswordEncoder.BCryptVersion.$2Y, new SecureRandom());
    }

    PasswordEncoder fromConfiguration() {
        // ok: vibeward.java.password_hashing.bcrypt-encoder-strength
        // ruleid: vibeward.java.password_hashing.bcrypt-encoder-configured
        return new BCryptPasswordEncoder(configuredStrength);
    }

    PasswordEncoder pbkdf2() {
        // ruleid: vibeward.java.password_hashing.pbkdf2-encoder-iterations
        return new Pbkdf2PasswordEncoder("", 16, 600000, Pbkdf2PasswordEncoder.SecretKeyFactoryAlgorithm.PBKDF2WithHmacSHA256);
    }

    PasswordEncoder pbkdf2Sha512() {
        // ruleid: vibeward.java.password_hashing.pbkdf2-sha512-encoder-iterations
        return new Pbkdf2PasswordEncoder(pepper, 16, 210000, SecretKeyFactoryAlgorithm.PBKDF2WithHmacSHA512);
    }

    PasswordEncoder pbkdf2Defaults() {
        // ruleid: vibeward.java.password_hashing.pbkdf2-encoder-defaults
        return Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    }

    PasswordEncoder pbkdf2Legacy() {
        // ruleid: vibeward.java.password_hashing.pbkdf2-encoder
        return new Pbkdf2PasswordEncoder(pepper);
    }

    PasswordEncoder argon2() {
        // ruleid: vibeward.java.password_hashing.argon2-encoder-defaults
        return Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    }

    PasswordEncoder argon2Custom() {
        // ruleid: vibeward.java.password_hashing.argon2-encoder
        return new Argon2PasswordEncoder(16, 32, 1, 19456, 2);
    }

    PasswordEncoder scrypt() {
        // ruleid: vibeward.java.password_hashing.scrypt-encoder
        return SCryptPasswordEncoder.defaultsForSpringSecurity_v5_8();
    }

    PasswordEncoder delegating() {
        // ruleid: vibeward.java.password_hashing.delegating-encoder
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    PasswordEncoder plaintext() {
        // ruleid: vibeward.java.password_hashing.noop-password-encoder
        return NoOpPasswordEncoder.getInstance();
    }

    PasswordEncoder sha256() {
        // ruleid: vibeward.java.password_hashing.legacy-digest-encoder
        return new StandardPasswordEncoder("pepper");
    }

    UserDetailsService users() {
        UserDetails admin = User.withUsername("admin")
            // ruleid: vibeward.java.password_hashing.noop-password-encoder
            .password("{noop}admin123")
            .roles("ADMIN")
            .build();
        UserDetails bob = User.withUsername("bob")
            // ok: vibeward.java.password_hashing.noop-password-encoder
            .password("{bcrypt}$2a$12$abcdefghijklmnopqrstuv")
            .roles("USER")
            .build();
        return new InMemoryUserDetailsManager(admin, bob);
    }
}

@Service
@RequiredArgsConstructor
class UserService {
    private final PasswordEncoder passwordEncoder;
    private final UserRepository users;

    User register(String email, String rawPassword) {
        User user = new User(email);
        // ruleid: vibeward.java.password_hashing.password-encoder-encode
        user.setPassword(passwordEncoder.encode(rawPassword));
        return users.save(user);
    }

    String token(byte[] payload) {
        // ok: vibeward.java.password_hashing.password-encoder-encode
        return Base64.getEncoder().encodeToString(Base64.getEncoder().encode(payload));
    }
}

class LombokUserService {
    User register(User user) {
        // ruleid: vibeward.java.password_hashing.password-encoder-encode
        user.setPassword(this.bCryptPasswordEncoder.encode(user.getPassword()));
        return user;
    }
}

class LegacyHasher {
    private static final int LOG_ROUNDS = 12;

    String hash(String password) {
        // ruleid: vibeward.java.password_hashing.jbcrypt-hashpw-cost
        return BCrypt.hashpw(password, BCrypt.gensalt(12));
    }

    String hashWithSalt(String password) {
        String salt = BCrypt.gensalt(11);
        // ruleid: vibeward.java.password_hashing.jbcrypt-hashpw-cost
        return BCrypt.hashpw(password, salt);
    }

    String hashConstant(String password) {
        // ruleid: vibeward.java.password_hashing.jbcrypt-hashpw-cost
        return BCrypt.hashpw(password, BCrypt.gensalt(LOG_ROUNDS));
    }

    String hashDefault(String password) {
        // ok: vibeward.java.password_hashing.jbcrypt-hashpw-cost
        // ruleid: vibeward.java.password_hashing.jbcrypt-hashpw-default-cost
        return BCrypt.hashpw(password, BCrypt.gensalt());
    }

    String hashWithStoredSalt(String password, String salt) {
        // ok: vibeward.java.password_hashing.jbcrypt-hashpw-default-cost
        // ruleid: vibeward.java.password_hashing.jbcrypt-hashpw
        return BCrypt.hashpw(password, salt);
    }

    byte[] pbkdf2(char[] password, byte[] salt) throws Exception {
        // ruleid: vibeward.java.password_hashing.jca-pbkdf2-iterations
        PBEKeySpec spec = new PBEKeySpec(password, salt, 600000, 256);
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        return factory.generateSecret(spec).getEncoded();
    }

    byte[] pbkdf2Sha512(char[] password, byte[] salt) throws Exception {
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512");
        // ruleid: vibeward.java.password_hashing.jca-pbkdf2-sha512-iterations
        return factory.generateSecret(new PBEKeySpec(password, salt, 210000, 512)).getEncoded();
    }

    byte[] pbkdf2Sha1(char[] password, byte[] salt) throws Exception {
        // ok: vibeward.java.password_hashing.jca-pbkdf2-iterations
        PBEKeySpec spec = new PBEKeySpec(password, salt, 65536, 128);
        // ruleid: vibeward.java.password_hashing.jca-pbkdf2-sha1
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA1");
        return factory.generateSecret(spec).getEncoded();
    }

    String argon2(char[] password) {
        Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);
        // ruleid: vibeward.java.password_hashing.password-hashing-library
        return argon2.hash(2, 19456, 1, password);
    }

    String password4j(String password) {
        // ruleid: vibeward.java.password_hashing.password-hashing-library
        return Password.hash(password).addRandomSalt().withArgon2().getResult();
    }
}

class InsecureHasher {
    String md5Password(String password) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        // ruleid: vibeward.java.password_hashing.fast-digest-of-password
        md.update(password.getBytes());
        return new BigInteger(1, md.digest()).toString(16);
    }

    String sha1Password(User user) throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        // ruleid: vibeward.java.password_hashing.fast-digest-of-password
        byte[] hash = sha1.digest(user.getPassword().getBytes(StandardCharsets.UTF_8));
        return Hex.encodeHexString(hash);
    }

    String gravatar(String email) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        // ok: vibeward.java.password_hashing.fast-digest-of-password
        byte[] hash = md.digest(email.trim().toLowerCase().getBytes("CP1252"));
        return "https://www.gravatar.com/avatar/" + Hex.encodeHexString(hash);
    }

    String etag(byte[] fileContent) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        // ok: vibeward.java.password_hashing.fast-digest-of-password
        md.update(fileContent);
        return "\"" + Hex.encodeHexString(md.digest()) + "\"";
    }

    String commons(String password) {
        // ruleid: vibeward.java.password_hashing.fast-hash-helper-of-password
        return DigestUtils.md5Hex(password);
    }

    String spring(LoginForm form) {
        // ruleid: vibeward.java.password_hashing.fast-hash-helper-of-password
        return DigestUtils.md5DigestAsHex(form.getPassword().getBytes());
    }

    String shiro(String loginName, String password, String salt) {
        // ruleid: vibeward.java.password_hashing.fast-hash-helper-of-password
        return new Md5Hash(loginName + password + salt).toHex();
    }

    String gravatarHelper(String email) {
        // ok: vibeward.java.password_hashing.fast-hash-helper-of-password
        return DigestUtils.md5Hex(email.toLowerCase());
    }

    String fileChecksum(InputStream in) throws IOException {
        // ok: vibeward.java.password_hashing.fast-hash-helper-of-password
        return DigestUtils.md5DigestAsHex(in);
    }
}
