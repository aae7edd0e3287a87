"""Word lists the sandbox seed draws from: names, places, products and the chart of accounts.

Kept apart from ``seed.py`` so the generator stays readable and the vocabulary easy to extend.
"""

from __future__ import annotations

# fmt: off
PLACES = (
    "Midwest", "Great Lakes", "Gulf Coast", "Summit", "Keystone", "Tri-State", "Pioneer",
    "Heartland", "Cascade", "Liberty", "Frontier", "Northern", "Pacific", "Atlantic", "Ozark",
    "Piedmont", "Red River", "Bluegrass", "Sierra", "Lone Star", "Prairie", "Harbor", "Granite",
)
SURNAMES = (
    "Anderson", "Baker", "Carlson", "Dawson", "Ellis", "Fischer", "Garcia", "Hoffman", "Iverson",
    "Jensen", "Keller", "Larsen", "Miller", "Nguyen", "Olsen", "Patel", "Quinn", "Reyes",
    "Schmidt", "Thompson", "Underwood", "Vasquez", "Walsh", "Young", "Zimmerman", "Brennan",
    "Castillo", "Donovan", "Hartley", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor",
)
FIRST_NAMES = (
    "james", "maria", "robert", "linda", "michael", "susan", "david", "karen", "daniel", "lisa",
    "kevin", "angela", "brian", "nicole", "jason", "megan", "eric", "laura", "tony", "rachel",
)
TRADES = (
    "Industrial Supply", "Fastener", "Bearing & Drive", "Hydraulics", "Electrical Supply",
    "Plumbing Supply", "Fluid Power", "Safety Products", "Mill Supply", "Tool & Fastener",
    "Mechanical", "Fabrication", "Packaging", "Contractors Supply", "Machine Works", "Controls",
)
LEGAL_SUFFIXES = ("Inc.", "LLC", "Co.", "Corp.", "Ltd.", "Company", "Incorporated", "L.P.")
MAILBOXES = ("ap", "accounts", "purchasing", "orders", "billing", "info", "office")
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com")
STREETS = (
    "Industrial Pkwy", "Commerce Dr", "Enterprise Blvd", "Main St", "Factory Rd", "Warehouse Ln",
    "Distribution Way", "Airport Rd", "Railroad Ave", "Mill St", "Foundry Ct", "Harbor Blvd",
)
CITIES = (
    ("Cleveland", "OH", "441", "216"), ("Toledo", "OH", "436", "419"),
    ("Detroit", "MI", "482", "313"), ("Grand Rapids", "MI", "495", "616"),
    ("Milwaukee", "WI", "532", "414"), ("Chicago", "IL", "606", "312"),
    ("Indianapolis", "IN", "462", "317"), ("Houston", "TX", "770", "713"),
    ("Dallas", "TX", "752", "214"), ("Tulsa", "OK", "741", "918"),
    ("Pittsburgh", "PA", "152", "412"), ("Charlotte", "NC", "282", "704"),
    ("Nashville", "TN", "372", "615"), ("Denver", "CO", "802", "303"),
    ("Portland", "OR", "972", "503"), ("Sacramento", "CA", "958", "916"),
    ("Omaha", "NE", "681", "402"), ("Louisville", "KY", "402", "502"),
)
TERMS = ("NET30", "NET30", "NET30", "NET45", "NET60", "2/10N30", "COD", "DUEREC")
SALESREPS = ("JSMITH", "MGARCIA", "TNGUYEN", "KPATEL", "RWALSH", "HOUSE")
SIZES = ('1/4"', '3/8"', '1/2"', '5/8"', '3/4"', '1"', "M6", "M8", "M10", "2 in", "4 in", "6 ft")
PRODUCT_GROUPS = (
    ("FAST", "FASTENERS", ("Hex bolt grade 5", "Hex nut", "Lock washer", "Socket cap screw",
                           "Carriage bolt", "Threaded rod", "Anchor wedge"), ("EA", "BX", "C")),
    ("BRG", "BEARINGS", ("Ball bearing 2RS", "Pillow block", "Tapered roller", "Flange unit",
                         "Needle bearing"), ("EA",)),
    ("HYD", "HYDRAULICS", ("JIC fitting", "Hydraulic hose", "Quick coupler", "Ball valve",
                           "Pressure gauge"), ("EA", "FT")),
    ("ELEC", "ELECTRICAL", ("THHN wire", "Conduit EMT", "Junction box", "Breaker 20A",
                            "Cable tie 100pk"), ("EA", "FT", "RL")),
    ("SAFE", "SAFETY", ("Nitrile gloves", "Safety glasses", "Hard hat", "Ear plugs 200pk",
                        "Hi-vis vest"), ("EA", "BX", "PR")),
    ("PLMB", "PLUMBING", ("Copper elbow", "PVC coupling", "Brass nipple", "Gate valve",
                          "PEX tubing"), ("EA", "FT")),
    ("PTRN", "POWER TRANSMISSION", ("V-belt", "Roller chain", "Sprocket", "Shaft coupling",
                                    "Gear reducer"), ("EA", "FT")),
    ("ABR", "ABRASIVES", ("Cut-off wheel", "Flap disc", "Sanding belt", "Wire brush"),
     ("EA", "BX")),
)
ACCOUNTS = (
    ("1010", "Operating bank account", "ASSET", "bank"),
    ("1015", "Stripe clearing", "ASSET", "stripe_clearing"),
    ("1200", "Accounts receivable", "ASSET", "receivables"),
    ("1300", "Inventory", "ASSET", "inventory"),
    ("2100", "Sales tax payable", "LIABILITY", "sales_tax"),
    ("2150", "Customer deposits", "LIABILITY", "deposits"),
    ("4000", "Sales", "REVENUE", "sales"),
    ("4100", "Sales returns and allowances", "REVENUE", "sales_returns"),
    ("5000", "Cost of goods sold", "EXPENSE", "cogs"),
    ("6150", "Card processing fees", "EXPENSE", "card_fees"),
    ("6160", "Chargeback and dispute losses", "EXPENSE", "dispute_losses"),
    ("6170", "Dispute fees", "EXPENSE", "dispute_fees"),
    ("7100", "Foreign exchange gain/loss", "EXPENSE", "fx"),
)
# fmt: on
