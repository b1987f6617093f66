// Test target for semgrep-rules/pan_masking/javascript.yml (parsed only, never run).

// ruleid: vibeward.javascript.pan_masking.mask-function
function maskCardNumber(cardNumber) {
  // ruleid: vibeward.javascript.pan_masking.last-digits
  const last4 = cardNumber.slice(-4);
  // ruleid: vibeward.javascript.pan_masking.mask-expression
  return last4.padStart(cardNumber.length, '*');
}

function display(pan) {
  // ruleid: vibeward.javascript.pan_masking.mask-expression
  return pan.replace(/\d(?=\d{4})/g, '*');
}

function saveCard(card) {
  return {
    brand: card.brand,
    // ruleid: vibeward.javascript.pan_masking.last-digits
    last4: card.number.substr(-4),
  };
}

function slug(title) {
  // ok: vibeward.javascript.pan_masking.last-digits
  return title.slice(-4);
}

function phone(p) {
  // ok: vibeward.javascript.pan_masking.mask-expression
  return p.replace(/-/g, '');
}
