package com.example.crypto;

import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
import org.springframework.security.crypto.encrypt.Encryptors;
import org.springframework.security.crypto.encrypt.TextEncryptor;

@Converter
public class AesGcmAttributeConverter implements AttributeConverter<String, String> {
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();

    @Override
    public String convertToDatabaseColumn(String attribute) {
        if (attribute == null) {
            return null;
        }
        try {
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            // ruleid: vibeward.java.encryption_at_rest.authenticated-cipher
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            // ruleid: vibeward.java.encryption_at_rest.encrypting-attribute-converter
            byte[] ciphertext = cipher.doFinal(attribute.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(concat(iv, ciphertext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String convertToEntityAttribute(String dbData) {
        // ok: vibeward.java.encryption_at_rest.encrypting-attribute-converter
        return decrypt(dbData);
    }
}

@Converter
class PiiConverter implements AttributeConverter<String, String> {
    private final TextEncryptor encryptor;

    public String convertToDatabaseColumn(String attribute) {
        // ruleid: vibeward.java.encryption_at_rest.encrypting-attribute-converter
        return encryptor.encrypt(attribute);
    }

    public String convertToEntityAttribute(String dbData) {
        return encryptor.decrypt(dbData);
    }
}

@Converter
class BooleanYesNoConverter implements AttributeConverter<Boolean, String> {
    public String convertToDatabaseColumn(Boolean attribute) {
        // ok: vibeward.java.encryption_at_rest.encrypting-attribute-converter
        return Boolean.TRUE.equals(attribute) ? "Y" : "N";
    }
}

@Entity
class Patient {
    // ruleid: vibeward.java.encryption_at_rest.encrypted-column
    @Convert(converter = AesGcmAttributeConverter.class)
    private String diagnosis;

    // ok: vibeward.java.encryption_at_rest.encrypted-column
    @Convert(converter = BooleanYesNoConverter.class)
    private Boolean active;

    // ruleid: vibeward.java.encryption_at_rest.database-side-encryption
    @ColumnTransformer(read = "pgp_sym_decrypt(ssn, current_setting('app.key'))", write = "pgp_sym_encrypt(?, current_setting('app.key'))")
    private String ssn;
}

class KeyService {
    SecretKey newDataKey() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        // ruleid: vibeward.java.encryption_at_rest.aes-key-size
        generator.init(256);
        return generator.generateKey();
    }

    SecretKey hmacKey() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("HmacSHA256");
        // ok: vibeward.java.encryption_at_rest.aes-key-size
        generator.init(256);
        return generator.generateKey();
    }

    TextEncryptor encryptor(String password, String salt) {
        // ruleid: vibeward.java.encryption_at_rest.encryption-library
        return Encryptors.delux(password, salt);
    }

    TextEncryptor plain() {
        // ruleid: vibeward.java.encryption_at_rest.noop-encryptor
        return Encryptors.noOpText();
    }
}

class LegacyCrypto {
    byte[] ecb(byte[] data, SecretKey key) throws Exception {
        // ruleid: vibeward.java.encryption_at_rest.weak-cipher
        Cipher cipher = Cipher.getInstance("AES");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return cipher.doFinal(data);
    }

    byte[] des(byte[] data, SecretKey key) throws Exception {
        // ruleid: vibeward.java.encryption_at_rest.weak-cipher
        Cipher cipher = Cipher.getInstance("DESede/CBC/PKCS5Padding");
        return cipher.doFinal(data);
    }

    byte[] ecbExplicit(byte[] data, SecretKey key) throws Exception {
        // ruleid: vibeward.java.encryption_at_rest.weak-cipher
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        return cipher.doFinal(data);
    }

    byte[] cbc(byte[] data, SecretKey key) throws Exception {
        // ok: vibeward.java.encryption_at_rest.weak-cipher
        // ruleid: vibeward.java.encryption_at_rest.cbc-cipher
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        // ruleid: vibeward.java.encryption_at_rest.static-iv
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(new byte[16]));
        return cipher.doFinal(data);
    }

    byte[] randomIv(byte[] data, SecretKey key, byte[] iv) throws Exception {
        // ruleid: vibeward.java.encryption_at_rest.cbc-cipher
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        // ok: vibeward.java.encryption_at_rest.static-iv
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        return cipher.doFinal(data);
    }
}
