package com.example.upload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.tika.Tika;
import org.springframework.util.StringUtils;
import org.springframework.web.multipart.MultipartFile;

@Configuration
class MultipartConfig {
    @Bean
    MultipartConfigElement multipartConfigElement() {
        MultipartConfigFactory factory = new MultipartConfigFactory();
        // ruleid: vibeward.java.file_upload_validation.upload-size-limit-mb
        factory.setMaxFileSize(DataSize.ofMegabytes(10));
        return factory.createMultipartConfig();
    }
}

@Service
class DocumentStorage {
    private static final Set<String> ALLOWED_TYPES = Set.of("application/pdf", "image/png", "image/jpeg");
    private static final long MAX_SIZE = 10 * 1024 * 1024;
    private final Tika tika = new Tika();
    private final Path root;

    String store(MultipartFile file) throws IOException {
        // ruleid: vibeward.java.file_upload_validation.upload-size-check
        if (file.getSize() > MAX_SIZE) {
            throw new PayloadTooLargeException();
        }
        // ruleid: vibeward.java.file_upload_validation.content-type-detection
        String detected = tika.detect(file.getInputStream());
        // ruleid: vibeward.java.file_upload_validation.content-type-allowlist
        if (!ALLOWED_TYPES.contains(file.getContentType())) {
            throw new UnsupportedMediaTypeException(detected);
        }
        String name = UUID.randomUUID() + ".bin";
        Files.copy(file.getInputStream(), root.resolve(name));
        return name;
    }

    void unsafe(MultipartFile file) throws IOException {
        // ruleid: vibeward.java.file_upload_validation.client-file-name-as-path
        file.transferTo(new File(uploadDir, file.getOriginalFilename()));
    }

    void unsafePath(MultipartFile file) throws IOException {
        // ruleid: vibeward.java.file_upload_validation.client-file-name-as-path
        Path target = root.resolve(file.getOriginalFilename());
        Files.copy(file.getInputStream(), target);
    }

    void cleaned(MultipartFile file) throws IOException {
        // ruleid: vibeward.java.file_upload_validation.safe-file-name
        String filename = StringUtils.cleanPath(file.getOriginalFilename());
        // ok: vibeward.java.file_upload_validation.client-file-name-as-path
        Path target = root.resolve(filename);
        Files.copy(file.getInputStream(), target);
    }
}
