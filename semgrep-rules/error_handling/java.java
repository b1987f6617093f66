package com.example.web;

import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

@RestControllerAdvice
// ruleid: vibeward.java.error_handling.global-exception-handler
class GlobalExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(GlobalExceptionHandler.class);

    @ExceptionHandler(Exception.class)
    ProblemDetail handle(Exception ex) {
        log.error("unhandled error", ex);
        // ruleid: vibeward.java.error_handling.problem-details
        return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred");
    }
}

@ControllerAdvice
// ok: vibeward.java.error_handling.global-exception-handler
class ModelAttributes {
    @ModelAttribute("version")
    String version() {
        return "1.0";
    }
}

// ruleid: vibeward.java.error_handling.global-exception-handler
class ApiExceptionHandler extends ResponseEntityExceptionHandler {
}

@RestController
class LegacyController {
    @GetMapping("/report")
    void report(HttpServletResponse response) throws IOException {
        try {
            reports.render(response.getOutputStream());
        } catch (Exception e) {
            // ruleid: vibeward.java.error_handling.stack-trace-in-response
            e.printStackTrace(response.getWriter());
        }
    }

    @GetMapping("/debug")
    ResponseEntity<String> debug() {
        try {
            return ResponseEntity.ok(service.run());
        } catch (Exception e) {
            // ruleid: vibeward.java.error_handling.stack-trace-in-response
            return ResponseEntity.status(500).body(ExceptionUtils.getStackTrace(e));
        }
    }

    @GetMapping("/safe")
    ResponseEntity<String> safe() {
        try {
            return ResponseEntity.ok(service.run());
        } catch (Exception e) {
            log.error("failed", e);
            // ok: vibeward.java.error_handling.stack-trace-in-response
            return ResponseEntity.status(500).body("Internal error");
        }
    }
}
