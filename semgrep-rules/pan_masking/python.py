# Test target for semgrep-rules/pan_masking/python.yml (parsed only, never run).


# ruleid: vibeward.python.pan_masking.mask-function
def mask_card_number(card_number: str) -> str:
    if len(card_number) < 4:
        return "*" * len(card_number)
    # ruleid: vibeward.python.pan_masking.mask-expression
    return "*" * (len(card_number) - 4) + card_number[-4:]


# ruleid: vibeward.python.pan_masking.mask-function
def mask_pan(pan):
    # ruleid: vibeward.python.pan_masking.mask-expression
    return pan[-4:].rjust(len(pan), "*")


def display(card):
    # ruleid: vibeward.python.pan_masking.mask-expression
    a = "**** **** **** " + card.number[-4:]
    # ruleid: vibeward.python.pan_masking.mask-expression
    b = f"•••• {card.number[-4:]}"
    # ruleid: vibeward.python.pan_masking.mask-expression
    c = card.number[:6] + "*" * 6 + card.number[-4:]
    # ok: vibeward.python.pan_masking.mask-expression
    d = "Year: " + date_str[-4:]
    # ok: vibeward.python.pan_masking.mask-expression
    e = f"file ending {name[-4:]}"
    return a, b, c, d, e


def save(card_number):
    # ruleid: vibeward.python.pan_masking.last4
    payment.card_last4 = card_number[-4:]
    # ruleid: vibeward.python.pan_masking.last4
    return Payment(amount=10, last4=card_number[-4:])


# ok: vibeward.python.pan_masking.mask-function
def mask_image(img):
    return img


def extension(filename):
    # ok: vibeward.python.pan_masking.last4
    suffix = filename[-4:]
    return suffix
