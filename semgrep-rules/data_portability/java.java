package com.example.privacy;

@RestController
class DataExportController {
    // ruleid: vibeward.java.data_portability.export-endpoint
    @GetMapping(value = "/api/me/export", produces = MediaType.APPLICATION_JSON_VALUE)
    PersonalDataExport export(Principal principal) {
        return exports.exportUserData(principal.getName());
    }

    // ok: vibeward.java.data_portability.export-endpoint
    @GetMapping("/api/reports/export")
    byte[] report() {
        return reports.csv();
    }
}

@Service
class DataExportService {
    // ruleid: vibeward.java.data_portability.export-method
    PersonalDataExport exportUserData(String username) {
        User user = users.findByUsername(username).orElseThrow();
        return new PersonalDataExport(user, orders.findByUser(user), consents.findByUser(user));
    }

    // ok: vibeward.java.data_portability.export-method
    byte[] exportReport() {
        return reports.csv();
    }
}
