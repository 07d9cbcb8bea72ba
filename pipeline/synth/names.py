"""Names of places, people and parties the generator prints (English, Urdu)."""

from __future__ import annotations

PROVINCE_PREFIXES = ("NA", "PP", "PS", "PK", "PB", "GBA")

DISTRICTS = (
    ("Lahore", "لاہور"),
    ("Karachi", "کراچی"),
    ("Peshawar", "پشاور"),
    ("Quetta", "کوئٹہ"),
    ("Multan", "ملتان"),
    ("Faisalabad", "فیصل آباد"),
    ("Rawalpindi", "راولپنڈی"),
    ("Gujranwala", "گوجرانوالہ"),
    ("Sialkot", "سیالکوٹ"),
    ("Hyderabad", "حیدرآباد"),
    ("Sukkur", "سکھر"),
    ("Mardan", "مردان"),
    ("Gilgit", "گلگت"),
    ("Bahawalpur", "بہاولپور"),
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV")

FIRST_NAMES = (
    ("Muhammad", "محمد"),
    ("Ahmed", "احمد"),
    ("Ali", "علی"),
    ("Hassan", "حسن"),
    ("Imran", "عمران"),
    ("Nawaz", "نواز"),
    ("Bilawal", "بلاول"),
    ("Saad", "سعد"),
    ("Khurram", "خرم"),
    ("Asif", "آصف"),
    ("Shahid", "شاہد"),
    ("Tariq", "طارق"),
    ("Ayesha", "عائشہ"),
    ("Fatima", "فاطمہ"),
    ("Maryam", "مریم"),
    ("Sana", "ثنا"),
    ("Zahid", "زاہد"),
    ("Usman", "عثمان"),
    ("Farhan", "فرحان"),
    ("Naveed", "نوید"),
)
LAST_NAMES = (
    ("Khan", "خان"),
    ("Butt", "بٹ"),
    ("Qureshi", "قریشی"),
    ("Chaudhry", "چوہدری"),
    ("Malik", "ملک"),
    ("Rana", "رانا"),
    ("Sheikh", "شیخ"),
    ("Abbasi", "عباسی"),
    ("Gillani", "گیلانی"),
    ("Bhatti", "بھٹی"),
    ("Awan", "اعوان"),
    ("Mirza", "مرزا"),
    ("Siddiqui", "صدیقی"),
    ("Baloch", "بلوچ"),
    ("Shah", "شاہ"),
    ("Jatoi", "جتوئی"),
)
PARTIES = ("PML-N", "PTI", "PPPP", "MQM-P", "JUI-F", "TLP", "JI", "ANP", "BAP", "IPP")
INDEPENDENT = "IND"

STATION_KINDS = (
    ("Govt Boys High School", "گورنمنٹ بوائز ہائی اسکول"),
    ("Govt Girls Primary School", "گورنمنٹ گرلز پرائمری اسکول"),
    ("Union Council Office", "یونین کونسل دفتر"),
    ("Govt Degree College", "گورنمنٹ ڈگری کالج"),
    ("Community Centre", "کمیونٹی سینٹر"),
    ("Basic Health Unit", "بنیادی مرکز صحت"),
)
VILLAGES = (
    "Chak 12",
    "Mohallah Islampura",
    "Model Town",
    "Gulberg",
    "Shadman",
    "Kot Lakhpat",
    "Bilal Colony",
    "Samanabad",
    "Ichhra",
    "Mozang",
    "Baghbanpura",
    "Shahdara",
)
