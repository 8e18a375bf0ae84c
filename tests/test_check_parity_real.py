"""parity.facts, parity.french-number-format and parity.structure on excerpts of real bilingual pages.

Each rule gets a failing and a passing fixture. The sentences are short excerpts (some shortened) of
public Government of Canada repositories, MIT licensed: cds-snc/digital-canada-ca (blog posts),
cds-snc/notification-documentation (src/en/status.md, src/fr/etat.md); or under the Open Government
Licence - Canada: canada-ca/Open_First_Whitepaper, canada-ca/digital-playbook-guide-numerique.
"""
import pytest

from clair.checks import Settings, kept, parity
from conftest import page


def check(build, english, french, **meta):
    """The parity findings of one pair of pages (content/en/a.md, content/fr/a.md)."""
    result = build({"en/a.md": page("A", english, **meta.get("en", {})),
                    "fr/a.md": page("A", french, **meta.get("fr", {}))}, run_checks=False)
    return kept(parity.run(result.site, result.files, Settings(result.site, parity.RULES)))


def found(findings, rule):
    """(file, line, column, message) of each finding of one rule, the file as content/<lang>/a.md."""
    return sorted((f.file.split("content/")[1], f.line, f.column, f.message) for f in findings if f.check == rule)


def lines(findings, rule):
    return [(file, line) for file, line, _, _ in found(findings, rule)]


def structure(findings):
    """(file, line, message) of each parity.structure finding."""
    return [(file, line, message) for file, line, _, message in found(findings, "parity.structure")]


# parity.facts: numbers in words (digital-canada-ca, "yolo-more-like-co-lo-cation-amirite";
# Open_First_Whitepaper, 3_Open_Source_Software_Use.md)

DAUGHTER_EN = "I was 42. If not for me, then certainly for my 8 year old daughter.\n"
DAUGHTER_FR = "J’avais 42 ans. Si non pour moi, alors certainement pour ma fille de huit ans.\n"
SUPPORT_EN = "Due to demand the number of 3rd party support contracts will increase.\n"
SUPPORT_FR = "En raison de la demande, le nombre de contrats de soutien de tiers augmentera.\n"


def test_numbers_in_words_are_partners_of_digits(build):
    findings = check(build, DAUGHTER_EN + "\n" + SUPPORT_EN, DAUGHTER_FR + "\n" + SUPPORT_FR)
    assert found(findings, "parity.facts") == []


def test_a_number_in_words_does_not_hide_another_number(build):
    findings = check(build, DAUGHTER_EN, DAUGHTER_FR.replace("huit", "neuf"))
    assert lines(findings, "parity.facts") == [("en/a.md", 5)]
    assert found(findings, "parity.facts")[0][3].startswith("“8” is in the English 1 time but in the French not at all")


def test_words_are_never_reported_themselves(build):
    """`les deux` is both, `partir de zéro` from scratch, `une` an article: words only stand in for digits."""
    english = "Canada has two official languages. We did not start from scratch. We hired a designer.\n"
    french = ("Le Canada a deux langues officielles, et les deux comptent. Nous ne sommes pas partis de zéro. "
              "Nous avons embauché une conceptrice.\n")
    assert found(check(build, english, french), "parity.facts") == []


def test_one_and_une_stand_in_for_a_1_only(build):
    findings = check(build, "We hired 1 designer.\n", "Nous avons embauché une conceptrice.\n")
    assert found(findings, "parity.facts") == []
    findings = check(build, "We hired 1 designer.\n", "Nous avons embauché des conceptrices.\n")
    assert lines(findings, "parity.facts") == [("en/a.md", 5)]


# parity.facts: entities, times, addresses, spaces (digital-canada-ca, "always-a-challenge",
# "the-best-panic-attack-i-ever-had", "ear-to-the-ground-using-the-words-people-use", "empower-to-protect")

FEE_EN = "A $20,000 fee per challenge"
FEE_FR = "Des frais de 20&nbsp;000&nbsp;$ par défi"


def test_entities_are_decoded_in_the_front_matter_too(build):
    findings = check(build, "Text.\n", "Texte.\n", en={"description": f'"{FEE_EN}"'}, fr={"description": f'"{FEE_FR}"'})
    assert found(findings, "parity.facts") == []


def test_an_amount_written_with_entities_is_still_compared(build):
    findings = check(build, "Text.\n", "Texte.\n", en={"description": f'"{FEE_EN}"'},
                     fr={"description": f'"{FEE_FR.replace("20", "30")}"'})
    assert lines(findings, "parity.facts") == [("en/a.md", 3), ("fr/a.md", 3)]


PANIC_EN = "It was 5pm. The deadline to send my answers was at 7pm. I had two hours left.\n"
PANIC_FR = "Il était 17 h. J’avais jusqu’à 19 h pour envoyer mes réponses. Il me restait deux heures.\n"


@pytest.mark.parametrize("english, french", [
    (PANIC_EN, PANIC_FR),
    ("Julianna has open office hours on Thursdays between 1-3pm.\n",  # scaling-inclusive-environments...
     "Vous pouvez me joindre les jeudis entre 13h et 15h.\n"),
    ("The notification sent over 1.4K of our service users to the tool.\n",  # reflections-on-a-service-at-100-weeks
     "La notification a permis à plus de 1 400 utilisateur·rice·s de consulter l’outil.\n"),
    ("We reached a peak of 58,469 confirmed subscribers.\n",  # three-years-of-data-driven-comms (thin space + space)
     "Nous avons atteint un sommet de 58\u2009 469 abonnements confirmés.\n"),
    ("But when he typed in “mailchimp”, 0 results showed up.\n",  # building-for-learning-and-iteration...
     "Mais sa recherche pour le terme « mailchimp » n’a donné aucun résultat.\n"),
])
def test_the_same_number_written_each_language_s_way(build, english, french):
    assert found(check(build, english, french), "parity.facts") == []


def test_a_different_hour_is_a_finding(build):
    findings = check(build, PANIC_EN, PANIC_FR.replace("19 h", "20 h"))
    assert [message.split("”")[0] for *_, message in found(findings, "parity.facts")] == ["“7pm", "“20"]


def test_numbers_inside_web_addresses_are_not_facts(build):
    """The French link is broken (`] (`), so its address is text; its digits are not facts."""
    english = "Services like [Report a cybercrime](https://digital.canada.ca/2019/05/06/understanding/).\n"
    french = "Des services comme [« Signaler un cybercrime »] (https://numerique.canada.ca/2019/05/06/comprendre-les-be%C3%A9/).\n"
    assert found(check(build, english, french), "parity.facts") == []


def test_english_may_group_digits_with_spaces(build):
    english = "As of June 2022, there are more than 40 000 subscribers receiving notifications.\n"
    french = "En juin 2022, plus de 40 000 abonnés reçoivent des notifications.\n"
    assert found(check(build, english, french), "parity.facts") == []
    assert lines(check(build, english, french.replace("40 000", "4 000")), "parity.facts") == [
        ("en/a.md", 5), ("fr/a.md", 5)]


# parity.facts: numbers inside names (Open_First_Whitepaper, 1_Introduction.md)

D7_EN = "In February 2018, Canada signs the Digital 7 (D7) charter and joins Estonia and Israel.\n"
D7_FR = "En février 2018, le Canada s'est joint aux autres nations de file de l'ère numérique du D7.\n"


@pytest.mark.parametrize("english, french", [
    (D7_EN, D7_FR),
    ("We adapted a checklist from 18F, and revised the 18F check points.\n",  # accessibility-services-at-cds
     "Nous avons adapté une liste de contrôle provenant de 18F, et révisé les points de contrôle.\n"),
])
def test_a_name_both_versions_name_is_not_counted(build, english, french):
    assert found(check(build, english, french), "parity.facts") == []


def test_a_year_outside_the_name_still_counts(build):
    findings = check(build, D7_EN, D7_FR.replace("février 2018", "février"))
    assert lines(findings, "parity.facts") == [("en/a.md", 5)]


# parity.french-number-format (digital-canada-ca, "gc-notify-has-reached-beta")

NOTIFY_EN = "Departments can send up to 10 million emails and 25,000 text messages a year for free.\n"
NOTIFY_FR = "Les ministères peuvent envoyer jusqu’à 10 millions de courriels et jusqu’à 25,000 messages textes par année.\n"


def test_a_french_number_in_english_format_is_reported_once_with_its_fix(build):
    findings = check(build, NOTIFY_EN, NOTIFY_FR)
    assert found(findings, "parity.facts") == []
    assert found(findings, "parity.french-number-format") == [
        ("fr/a.md", 5, 76, "“25,000” is written the English way; in French, write “25\u00a0000” (a space between "
                           "groups of three digits, not a comma; type plain spaces, clair prints them as no-break "
                           "spaces)")]


def test_a_french_number_in_french_format_passes(build):
    findings = check(build, NOTIFY_EN, NOTIFY_FR.replace("25,000", "25 000"))
    assert found(findings, "parity.french-number-format") == found(findings, "parity.facts") == []


@pytest.mark.parametrize("english, written, fix", [
    ("$1,500", "$1,500", "1\u00a0500\u00a0$"),
    ("$1.5 million", "$1.5 million", "1,5 million $"),
    ("$1.5 billion", "$1.5 billion", "1,5 milliard $"),
    ("3.5%", "3.5 %", "3,5\u00a0%"),
    ("1,500,000", "1,500,000", "1\u00a0500\u00a0000"),
])
def test_each_english_way_gets_its_french_fix(build, english, written, fix):
    findings = check(build, f"It was {english}.\n", f"C’était {written}.\n")
    assert [message.split("write ")[1].split("”")[0] for *_, message in found(findings, "parity.french-number-format")
            ] == [f"“{fix}"]
    assert found(findings, "parity.facts") == []


def test_versions_sections_and_one_and_a_half_are_not_english_numbers(build):
    """WCAG 2.1 is written so in French too (digital-playbook-guide-numerique); 6.2.1 is a section; a French
    1,500 without an English 1,500 is one and a half."""
    english = "Meet WCAG 2.1 level AA, as section 6.2.1 says, for 1.5 times the users.\n"
    french = "Respectez le niveau AA des WCAG 2.1, comme le dit la section 6.2.1, pour 1,500 fois les utilisateurs.\n"
    findings = check(build, english, french)
    assert found(findings, "parity.french-number-format") == found(findings, "parity.facts") == []


# parity.structure: a table row (notification-documentation, status.md / etat.md)

STATUS_EN = """\
|Status Description|Information|
|:---|:---|
|Created|GC Notify has placed the message in a queue, ready to be sent to the provider.|
|In transit|GC Notify has sent the message to the provider. The provider will try to deliver the message for up to 72 hours.|
|Pending|GC Notify is waiting for more delivery information.|
|Sent|GC Notify has received delivery information from the provider that indicates the message was successfully delivered to the recipient|
|Delivered|The message was successfully delivered.|
|Failed|This covers all failure statuses: `permanent-failure`, `temporary-failure`, `technical-failure`.|
"""
STATUS_FR = """\
|Description de l'état|Renseignements|
|:---|:---|
|Créé|Notification GC a placé le message dans une file d’attente, prêt à être envoyé au fournisseur.|
|Envoi en cours|Notification GC a envoyé le message au fournisseur. Le fournisseur essaiera d’envoyer le message pendant une période maximale de 72 heures.|
|En attente|Notification GC attend plus de renseignements sur la livraison.|
|Livraison réussie|Le message a été livré avec succès.|
|Échec|Ce champ couvre tous les états d’échec : `permanent-failure`, `temporary-failure`, `technical-failure`.|
"""
SENT_FR = ("|Envoyé|Notification GC a reçu des renseignements de livraison du fournisseur indiquant que le message a "
           "été livré au destinataire|\n")


def test_a_row_missing_from_the_french_table_is_named(build):
    findings = check(build, STATUS_EN, STATUS_FR)
    assert structure(findings) == [
        ("en/a.md", 10, "The French table lacks this row (starting “Sent”): add it to the French table, or delete it "
                        "here.")]
    assert [(f.related_file.split("content/")[1], f.related_line) for f in findings if f.check == "parity.structure"] \
        == [("fr/a.md", 10)]  # where it goes: before “Livraison réussie”


def test_a_table_with_every_row_passes(build):
    french = STATUS_FR.replace("|Livraison réussie|", SENT_FR + "|Livraison réussie|")
    assert found(check(build, STATUS_EN, french), "parity.structure") == []


# parity.structure: headings (digital-canada-ca, "unleash-talent-and-four-other-tips-for-changing-government",
# "security-snack-time-at-cds"; the sections are cut to their first sentences)

TIPS_EN = """\
## Make doing the right thing the easy thing

For example, if we want to go cloud first, buying cloud needs to be as easy as buying pens.

## Understand people’s needs

In our 2016 consultations, we heard it was essential to put user needs at the heart of everything that we do.

## Connect decisions and people

Michelle Lattimore, the former Director General of Client Experience at Immigration, Refugees and Citizenship Canada, speaks powerfully about it.

## Make culture a priority

Modern service delivery calls for multidisciplinary teams to tackle complex problems.

## Unleash talent in new ways

Let’s get creative in how we bring the brightest minds to government. Pascale Elvas started a new challenge in December 2018.
"""
TIPS_FR = """\
## Transformons le travail qui s’impose en ce qu’il y a de plus facile

Si nous souhaitons adopter l’infonuagique dès le commencement, l’achat de services infonuagiques devrait être aussi facile que l’achat de stylos.

## Établissons une connexion entre les décisions et les personnes

Michelle Lattimore, ancienne directrice générale de l’expérience client à Immigration, Réfugiés et Citoyenneté Canada, en parle avec force.

## Faisons de la culture une priorité

De nos jours, les prestations de services demandent aux équipes multidisciplinaires de s’attaquer à des problèmes complexes.

## Libérons le talent d’une façon nouvelle

Soyons créatifs dans la façon dont nous déployons les plus brillants esprits au gouvernement. Pascale Elvas a accepté un nouveau défi en décembre 2018.
"""
NEEDS_FR = """\
## Comprenons les besoins des gens

Lors de nos consultations de 2016, on nous a dit qu’il était essentiel de placer les besoins des utilisateurs au cœur de tout ce que nous faisons.

"""


SNACK_EN = """\
## Re-designing #SecOps to feel more secure

Many industries use regular briefings like these. These are short presentations (around 5 minutes), done regularly.

### Introducing ‘security snack time’ at CDS!

Our very first security snack time took place on June 7, during a Platform Town Hall.

## Main takeaways

At CDS, we’ve introduced ‘security snack time’ to complement our existing security operations training.
"""
SNACK_FR = """\
## Redéfinir nos opérations pour améliorer la sécurité

Cette pratique est bien répandue dans d’autres secteurs. Il s’agit de présentations de cinq minutes chacune.

## Les « bouchées de sécurité » au SNC!

Notre toute première bouchée de sécurité a été dégustée le 7 juin, lors de l’assemblée générale de l’unité de la plateforme.

#### Points à retenir

Nous avons lancé l’initiative « bouchées de sécurité » pour compléter notre formation existante en matière de sécurité.
"""


# parity.structure: a list item (digital-playbook-guide-numerique, 2-iterate-improve-frequently.md)

STEPS_EN = """\
- Plan for frequent change by building in the capacity to iterate
- Use agile tools and techniques, and continue to do so when the service is live
- When iterating, focus on workable solutions over comprehensive documentation
"""
STEPS_FR = """\
- Planifier les changements fréquents en intégrant la capacité d’itérer
- Utiliser des outils et des techniques agiles, et continuer de le faire une fois le service opérationnel
- Start with a prototype
- Lors des itérations, privilégier les solutions réalisables plutôt qu’une documentation exhaustive
"""


@pytest.mark.parametrize("english, french, expected", [
    pytest.param(TIPS_EN, TIPS_FR, [("en/a.md", 9, "The English has a level-2 heading here (“Understand people’s needs”) "
                                                   "that the French does not have.")],
                 id="all-five-are-level-2-headings-the-french-lacks-the-second-not-the-last"),
    pytest.param(TIPS_EN, TIPS_FR.replace("## Établissons", NEEDS_FR + "## Établissons"), [],
                 id="every-heading-translated"),
    pytest.param(SNACK_EN, SNACK_FR, [("fr/a.md", 9, "The French has a level-2 heading here (“Les « bouchées de sécurité "
                                                     "» au SNC!”) where the English has a level-3 heading (“Introducing "
                                                     "‘security snack time’ at CDS!”).")],
                 id="a-heading-of-another-level-is-not-a-missing-heading"),
    pytest.param(SNACK_EN, SNACK_FR.replace("## Les «", "### Les «").replace("#### Points", "## Points"), [],
                 id="headings-of-the-same-levels"),
    pytest.param(STEPS_EN, STEPS_FR, [("fr/a.md", 7, "The English list lacks this item (“Start with a prototype”): add "
                                                     "it to the English list, or delete it here.")],
                 id="an-item-only-the-french-list-has"),
    pytest.param(STEPS_EN, STEPS_FR.replace("- Start with a prototype\n", ""), [], id="lists-of-the-same-items"),
])
def test_the_part_that_differs_is_named(build, english, french, expected):
    assert structure(check(build, english, french)) == expected
