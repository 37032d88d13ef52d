#!/usr/bin/env python3
"""Generate the binary documents (PDF and DOCX) of the Sjövik demo bundle.

Usage (from the repository root):

    .venv/bin/python kb/demo/make_binaries.py [BUNDLE]

BUNDLE defaults to kb/demo/bundle next to this script. The metadata of each
document lives in a hand-written sidecar NAME.EXT.yaml in the bundle; this
script only writes the documents themselves. The output is reproducible: the
PDFs are written in reportlab's invariant mode and the DOCX files get fixed
core properties and fixed zip timestamps, so that regenerating them gives the
same bytes.

Needs reportlab and python-docx. Text is set in DejaVu Sans when that font is
installed (so that å, ä, ö and – come out right and can be extracted again),
otherwise in Helvetica, whose WinAnsi encoding also covers Swedish letters.
"""

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.shared import Pt
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 1, 1, 12, 0, 0)

# --------------------------------------------------------------------------- content
# Each document is a title, an author line and a list of blocks:
#   ("h2", text) | ("h3", text) | ("p", text) | ("ul", [items]) | ("ol", [items])
#   | ("table", [header row, row, ...])

BILDSTOD = {
    "path": "material/npf/bildstod-och-forvarning.pdf",
    "title": "Bildstöd och förvarning – handledning för F–6",
    "author": "Petra Wallin, speciallärare, Lindskolan",
    "blocks": [
        (
            "p",
            "Många elever, och särskilt elever med autism, adhd eller språkstörning, "
            "behöver veta vad som ska hända för att kunna koncentrera sig på det som "
            "händer. Bildstöd och förvarning gör det osynliga synligt: dagens ordning, "
            "lektionens steg och förändringar som kommer. Den här handledningen beskriver "
            "hur vi arbetar med det på Lindskolan i förskoleklass till årskurs 6.",
        ),
        ("h2", "1. Dagsschema med bilder"),
        (
            "p",
            "Ett dagsschema sitter synligt i klassrummet och gås igenom varje morgon. "
            "Varje aktivitet har en bild och ett ord. Schemat läses uppifrån och ned eller "
            "från vänster till höger, och det som är klart flyttas eller vänds.",
        ),
        (
            "ul",
            [
                "Använd samma bilder i alla klassrum, så att eleverna känner igen dem när "
                "de byter lokal eller lärare. Bildbanken finns i lärplattformen.",
                "Ha en bild för ”ändring” – en blixt eller ett utropstecken – som sätts "
                "in där något blir annorlunda än vanligt.",
                "Vissa elever behöver ett eget schema på bänken, med bara halva dagen åt gången.",
            ],
        ),
        ("h2", "2. Lektionens steg"),
        (
            "p",
            "Skriv upp lektionens delar på tavlan i början av lektionen, gärna med bilder. "
            "Ett exempel för en matematiklektion i årskurs 3:",
        ),
        (
            "ol",
            [
                "Genomgång på mattan (10 minuter)",
                "Arbeta i boken, sidorna 34–35 (15 minuter)",
                "Spel i par (10 minuter)",
                "Exit ticket och städning (5 minuter)",
            ],
        ),
        (
            "p",
            "Bocka av varje steg när det är klart. Eleverna ser hur mycket som är kvar, "
            "och frågan ”när är vi klara?” blir ovanligare.",
        ),
        ("h2", "3. Förvarning om förändringar"),
        (
            "p",
            "Förändringar är det som skapar mest oro. En vikarie, en brandövning, ett "
            "inställt idrottspass eller en utflykt kan förstöra en hel dag för en elev "
            "som inte är förberedd.",
        ),
        (
            "table",
            [
                ["Förändring", "När förvarnar vi?", "Hur?"],
                ["Vikarie", "Så snart vi vet, helst dagen innan", "Foto på vikarien i schemat"],
                ["Utflykt", "En vecka innan och dagen innan", "Bildberättelse om dagen"],
                [
                    "Brandövning",
                    "Samma morgon för de elever som behöver",
                    "Enskilt samtal och bild",
                ],
                ["Nytt arbetsområde", "Lektionen innan", "Planering med bilder"],
            ],
        ),
        ("h2", "4. Övergångar och raster"),
        (
            "p",
            "Övergångar mellan aktiviteter, rum och personer är svåra för många. Använd "
            "en timer som visar hur lång tid som är kvar, och ge en påminnelse fem "
            "minuter och en minut innan något tar slut. Rasten kan vara dagens mest "
            "ostrukturerade tid. Ett rastschema med aktiviteter att välja mellan och en "
            "vuxen att vända sig till hjälper många elever.",
        ),
        ("h2", "5. Sociala berättelser"),
        (
            "p",
            "En social berättelse är en kort text med bilder som beskriver en situation "
            "ur elevens perspektiv: vad som händer, vad andra gör och vad eleven kan göra. "
            "Den skrivs tillsammans med eleven när det är möjligt. Exempel: ”När vi går "
            "till matsalen ställer vi oss i kö. Det kan vara trångt och låta mycket. Jag "
            "kan ta på mig hörselkåporna och stå sist i kön.”",
        ),
        ("h2", "Checklista för läraren"),
        (
            "ul",
            [
                "Finns dagens schema uppe när eleverna kommer?",
                "Är lektionens steg synliga?",
                "Har eleverna fått veta om förändringar i god tid?",
                "Finns en timer för arbetspass och övergångar?",
                "Vet vikarien var bildstödet finns?",
            ],
        ),
        (
            "p",
            "Frågor om bildstöd och förvarning: kontakta Petra Wallin, speciallärare. "
            "Se också dokumentet ”Extra anpassningar i matematik för elever med NPF”.",
        ),
    ],
}

STUDIEHANDLEDNING = {
    "path": "material/nyanlandas-larande/studiehandledning-pa-modersmalet.pdf",
    "title": "Studiehandledning på modersmålet – så samarbetar vi",
    "author": "Samira Yusuf, studiehandledare och lärare i svenska som andraspråk, Lindskolan",
    "blocks": [
        (
            "p",
            "Studiehandledning på modersmålet ges till elever som inte kan följa "
            "undervisningen tillräckligt bra på svenska. Syftet är att eleven ska kunna "
            "lära sig ämnesinnehållet på sitt starkaste språk samtidigt som svenskan "
            "utvecklas. Studiehandledaren är inte en tolk och inte en extra lärare, utan "
            "en brygga mellan elevens språk och ämnet. Det fungerar bara om ämnesläraren "
            "och studiehandledaren planerar tillsammans.",
        ),
        ("h2", "Vem får studiehandledning?"),
        (
            "p",
            "Beslutet fattas av rektor, oftast efter kartläggningen av nyanlända elever. "
            "I Sjöviks kommun finns studiehandledning på somaliska, arabiska, dari, "
            "tigrinja och ukrainska. För andra språk används fjärrstudiehandledning via "
            "kommunens centrala team.",
        ),
        ("h2", "Tre sätt att organisera"),
        (
            "table",
            [
                ["Modell", "Så går det till", "Passar när"],
                [
                    "Före lektionen",
                    "Förförståelse: begrepp och innehåll gås igenom på modersmålet",
                    "Nytt arbetsområde med många nya ord",
                ],
                [
                    "Under lektionen",
                    "Studiehandledaren sitter med i klassrummet",
                    "Laborationer, grupparbeten, praktiska moment",
                ],
                [
                    "Efter lektionen",
                    "Repetition och bearbetning på modersmålet",
                    "Inför prov och redovisningar",
                ],
            ],
        ),
        (
            "p",
            "Förförståelse före lektionen ger oftast mest. Eleven kan då delta i "
            "klassens genomgång och känna igen det som sägs.",
        ),
        ("h2", "Ämneslärarens ansvar"),
        (
            "ol",
            [
                "Skicka planeringen för arbetsområdet till studiehandledaren minst en vecka "
                "i förväg.",
                "Markera de 10–15 viktigaste begreppen.",
                "Dela texter, bilder och uppgifter i lärplattformen.",
                "Berätta vad eleven ska kunna när arbetsområdet är slut.",
                "Avsätt tio minuter varannan vecka för avstämning.",
            ],
        ),
        ("h2", "Studiehandledarens ansvar"),
        (
            "ul",
            [
                "Förbereda begreppen på båda språken, gärna i en tvåspråkig ordlista som "
                "eleven får behålla.",
                "Förklara innehållet utifrån elevens tidigare kunskaper och erfarenheter.",
                "Stötta eleven att uttrycka sina kunskaper, muntligt och skriftligt.",
                "Berätta för ämnesläraren vad eleven kan. Eleven vet ofta mer än hen kan "
                "visa på svenska.",
            ],
        ),
        ("h2", "Bedömning"),
        (
            "p",
            "Elevens kunskaper ska bedömas, inte elevens svenska. Låt eleven visa vad hen "
            "kan på modersmålet, med studiehandledarens hjälp, när det är möjligt. Det är "
            "ämnesläraren som bedömer och sätter betyg.",
        ),
        ("h2", "Vanliga problem och lösningar"),
        (
            "table",
            [
                ["Problem", "Lösning"],
                [
                    "Studiehandledaren får planeringen samma dag",
                    "Fast rutin: planeringen delas i lärplattformen på fredagen veckan innan",
                ],
                [
                    "Eleven vill inte gå ifrån klassen",
                    "Lägg studiehandledningen i klassrummet eller på elevens val",
                ],
                [
                    "Ordet finns inte på modersmålet",
                    "Förklara med bilder och exempel och använd det svenska ordet",
                ],
                [
                    "Eleven har inte gått i skolan tidigare",
                    "Börja med litteracitet och grundläggande begrepp, inte med ämnet",
                ],
            ],
        ),
        (
            "p",
            "Kontakt: Samira Yusuf, Lindskolan. Hon ger också studiehandledning på "
            "somaliska till Sjöviks högstadieskola två förmiddagar i veckan.",
        ),
    ],
}

KAMRATRESPONS = {
    "path": "material/formativ-bedomning/kamratrespons-matematik-ak8.docx",
    "title": "Kamratrespons i matematik, åk 8 – mall och exempel",
    "author": "Maria Sandberg och Elias Forsman, Sjöviks högstadieskola",
    "blocks": [
        (
            "p",
            "Mallen används när eleverna byter lösningar med varandra, till exempel på "
            "en problemlösningsuppgift eller på en exit ticket. Målet är att eleverna ska "
            "lära sig se kvaliteter i en lösning, både i kamratens och i sin egen. Mallen "
            "prövades i 8A och 8B under september 2026.",
        ),
        ("h2", "Så här gör ni"),
        (
            "ol",
            [
                "Lös uppgiften själv först, utan att titta på någon annan.",
                "Byt lösning med din kamrat.",
                "Läs kamratens lösning och fyll i mallen nedan. Skriv med blyerts.",
                "Lämna tillbaka och förklara din respons muntligt på högst två minuter.",
                "Förbättra din egen lösning med hjälp av responsen. Använd en annan färg.",
            ],
        ),
        ("h2", "Mall: två stjärnor och en önskan"),
        (
            "table",
            [
                ["Fråga", "Svar"],
                ["Går det att följa hur kamraten har tänkt? Var syns det?", ""],
                ["Har kamraten använt matematiska begrepp och symboler korrekt?", ""],
                ["Stjärna 1: Det här var bra i lösningen …", ""],
                ["Stjärna 2: Det här var också bra …", ""],
                ["Önskan: Lösningen skulle bli ännu bättre om …", ""],
            ],
        ),
        ("h2", "Exempeluppgift"),
        (
            "p",
            "En biobiljett kostar 120 kr för vuxna och 80 kr för barn. En familj betalade "
            "520 kr för fem biljetter. Hur många vuxna och hur många barn var det?",
        ),
        ("h2", "Exempel på respons från elever"),
        (
            "ul",
            [
                "Stjärna: ”Du prövade olika kombinationer i en tabell, så det var lätt att se "
                "hur du tänkte.”",
                "Stjärna: ”Du kontrollerade svaret genom att räkna 3 · 120 + 2 · 80.”",
                "Önskan: ”Skriv svaret med ord i slutet, till exempel: Det var 3 vuxna och 2 "
                "barn.”",
                "Mindre bra respons: ”Bra!” eller ”Fel svar.” – Den säger inget om varför.",
            ],
        ),
        ("h2", "Tips till läraren"),
        (
            "ul",
            [
                "Visa och diskutera exempel på bra och mindre bra respons innan eleverna "
                "gör det själva första gången.",
                "Para ihop elever som ligger ungefär på samma nivå, eller med en liten "
                "skillnad. Stor skillnad gör responsen enkelriktad.",
                "Samla in mallarna ibland och ge respons på responsen.",
                "Se även guiden ”Trafikljus och exit tickets i matematik, åk 7–9”.",
            ],
        ),
    ],
}

MATTESTIGEN = {
    "path": "material/matematik-utomhus/mattestigen-stationskort.docx",
    "title": "Mattestigen på skolgården – stationskort",
    "author": "Lena Holmberg och Oskar Nyström, Lindskolan",
    "blocks": [
        (
            "p",
            "Mattestigen består av åtta stationer runt Lindskolans skolgård. Varje "
            "station har ett kort med en uppgift i två nivåer: A för F–3 och B för 4–6. "
            "Korten skrivs ut, lamineras och sätts upp med buntband. Eleverna går i "
            "grupper om tre med ett svarsblad och en penna. Stigen tar 45–60 minuter.",
        ),
        ("h2", "Stationerna"),
        (
            "table",
            [
                ["Station", "Plats", "Nivå A (F–3)", "Nivå B (4–6)"],
                [
                    "1",
                    "Klätterställningen",
                    "Räkna stegpinnarna. Hur många är det på båda sidorna tillsammans?",
                    "Mät höjden till översta pinnen. Hur högt är det i centimeter och i meter?",
                ],
                [
                    "2",
                    "Fotbollsplanen",
                    "Gå runt planen och räkna dina steg. Skriv talet.",
                    "Beräkna planens omkrets och area. Visa hur du räknade.",
                ],
                [
                    "3",
                    "Cykelstället",
                    "Hur många cyklar står här? Hur många hjul är det?",
                    "Hur stor andel av cyklarna är blå? Skriv som bråk och i procent.",
                ],
                [
                    "4",
                    "Sandlådan",
                    "Bygg en kvadrat och en triangel med pinnar. Hur många hörn totalt?",
                    "Bygg en rektangel med omkretsen 20 pinnar och så stor area som möjligt.",
                ],
                [
                    "5",
                    "Eken",
                    "Hur många barn behövs för att krama runt stammen?",
                    "Mät omkretsen med snöre. Uppskatta diametern.",
                ],
                [
                    "6",
                    "Hopprepsplatsen",
                    "Hoppa 10 hopp. Ta tid. Hur lång tid tog det?",
                    "Hur många hopp hinner du på en minut? Hur många på en timme?",
                ],
                [
                    "7",
                    "Skolans entré",
                    "Leta efter former i fasaden. Rita tre.",
                    "Hitta en symmetrilinje i fasaden. Rita och förklara.",
                ],
                [
                    "8",
                    "Matsalsfönstret",
                    "Hur många fönster har matsalen? Skriv talet på två sätt.",
                    "Uppskatta hur många fönster hela skolan har. Hur tänkte du?",
                ],
            ],
        ),
        ("h2", "Före stigen"),
        (
            "ul",
            [
                "Gå stigen själv och kontrollera att alla kort sitter uppe.",
                "Dela in grupperna och ge varje grupp en startstation, så att ingen "
                "station blir trång.",
                "Gå igenom reglerna: gå, spring inte; stanna inom skolgårdens staket; alla i "
                "gruppen ska vara överens om svaret.",
            ],
        ),
        ("h2", "Efter stigen"),
        (
            "ol",
            [
                "Samla grupperna och jämför svaren station för station.",
                "Diskutera stationerna där grupperna fick olika svar. Varför blev det så?",
                "Låt eleverna hitta på en ny station till nästa gång.",
            ],
        ),
        ("h2", "Anpassningar"),
        (
            "ul",
            [
                "Korten finns också med bildstöd för elever som behöver det.",
                "Stationerna 1–4 ligger på den asfalterade delen och nås med rullstol.",
                "Nyanlända elever kan få korten med nyckelorden översatta.",
            ],
        ),
    ],
}

PDFS = [BILDSTOD, STUDIEHANDLEDNING]
DOCXS = [KAMRATRESPONS, MATTESTIGEN]


# --------------------------------------------------------------------------- PDF


def pdf_fonts():
    """Register DejaVu Sans if installed; return (regular, bold) font names."""
    for folder in (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")):
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def write_pdf(doc, target):
    """Write one document as a PDF with real, extractable text."""
    rl_config.invariant = 1
    regular, bold = pdf_fonts()
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle(
            "t", parent=base["Title"], fontName=bold, fontSize=18, leading=22, alignment=0
        ),
        "author": ParagraphStyle(
            "a",
            parent=base["Normal"],
            fontName=regular,
            fontSize=9,
            textColor=colors.grey,
            spaceAfter=10,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base["Heading2"],
            fontName=bold,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3", parent=base["Heading3"], fontName=bold, fontSize=11, keepWithNext=1
        ),
        "p": ParagraphStyle(
            "p", parent=base["BodyText"], fontName=regular, fontSize=10.5, leading=14
        ),
        "cell": ParagraphStyle(
            "c", parent=base["BodyText"], fontName=regular, fontSize=9, leading=11
        ),
        "head": ParagraphStyle(
            "hc", parent=base["BodyText"], fontName=bold, fontSize=9, leading=11
        ),
    }
    story = [
        Paragraph(escape(doc["title"]), styles["title"]),
        Paragraph(escape(doc["author"]), styles["author"]),
    ]
    for kind, content in doc["blocks"]:
        if kind in ("h2", "h3", "p"):
            story.append(Paragraph(escape(content), styles[kind]))
        elif kind in ("ul", "ol"):
            items = [ListItem(Paragraph(escape(item), styles["p"])) for item in content]
            story.append(
                ListFlowable(
                    items,
                    bulletType="1" if kind == "ol" else "bullet",
                    start="1" if kind == "ol" else "•",
                    bulletFormat="%s." if kind == "ol" else None,
                    bulletFontName=regular,
                    leftIndent=14,
                )
            )
        elif kind == "table":
            rows = [
                [Paragraph(escape(c), styles["head" if i == 0 else "cell"]) for c in row]
                for i, row in enumerate(content)
            ]
            width = (A4[0] - 4 * cm) / len(content[0])
            table = Table(rows, colWidths=[width] * len(content[0]), repeatRows=1)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.append(Spacer(1, 4))
            story.append(table)
        story.append(Spacer(1, 4))

    def footer(canvas, _doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(2 * cm, 1.2 * cm, f"Sjöviks kommun – {doc['title']}")
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Sida {canvas.getPageNumber()}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        title=doc["title"],
        author=doc["author"],
        subject="Sjöviks kommun, kollegialt lärande",
        creator="make_binaries.py",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)


# --------------------------------------------------------------------------- DOCX


def write_docx(doc, target):
    """Write one document as a DOCX with headings, lists and tables."""
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(doc["title"], level=1)
    document.add_paragraph(doc["author"]).italic = True
    for kind, content in doc["blocks"]:
        if kind == "h2":
            document.add_heading(content, level=2)
        elif kind == "h3":
            document.add_heading(content, level=3)
        elif kind == "p":
            document.add_paragraph(content)
        elif kind in ("ul", "ol"):
            style = "List Number" if kind == "ol" else "List Bullet"
            for item in content:
                document.add_paragraph(item, style=style)
        elif kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for r, row in enumerate(content):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    props = document.core_properties
    props.title = doc["title"]
    props.author = doc["author"]
    props.last_modified_by = doc["author"]
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.revision = 1

    buffer = io.BytesIO()
    document.save(buffer)
    # Rewrite the zip with fixed timestamps so that the output is reproducible.
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


def main(argv):
    bundle = Path(argv[1]) if len(argv) > 1 else HERE / "bundle"
    for doc in PDFS:
        target = bundle / doc["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(doc, target)
        print(f"wrote {target}")
    for doc in DOCXS:
        target = bundle / doc["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        write_docx(doc, target)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
