package com.example.payments;

import org.apache.commons.lang3.StringUtils;

class CardFormatter {
    // ruleid: vibeward.java.pan_masking.mask-function
    static String maskPan(String pan) {
        // ruleid: vibeward.java.pan_masking.last-digits-kept
        return "**** **** **** " + pan.substring(pan.length() - 4);
    }

    String masked(Card card) {
        // ruleid: vibeward.java.pan_masking.last-digits-kept
        return "*".repeat(12) + card.getNumber().substring(card.getNumber().length() - 4);
    }

    String regexMasked(String cardNumber) {
        // ruleid: vibeward.java.pan_masking.regex-mask
        return cardNumber.replaceAll("\\d(?=\\d{4})", "*");
    }

    String overlay(String pan) {
        // ruleid: vibeward.java.pan_masking.last-digits-kept
        return StringUtils.overlay(pan, "************", 0, pan.length() - 4);
    }

    // ok: vibeward.java.pan_masking.mask-function
    String formatAmount(BigDecimal amount) {
        // ok: vibeward.java.pan_masking.last-digits-kept
        return "EUR " + amount.toPlainString().substring(amount.toPlainString().length() - 4);
    }
}

class CardResponse {
    // ruleid: vibeward.java.pan_masking.masking-serializer
    @JsonSerialize(using = PanMaskingSerializer.class)
    private String cardNumber;
}
