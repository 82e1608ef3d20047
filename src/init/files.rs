//! The files `motebok init` writes: their names and text (Norwegian, for the
//! secretariat), made from the project's settings. No file system access here.

use super::ProjectSpec;
use crate::schema::{ContentFile, SCHEMA_FOLDER};
use crate::text::quote_string as yaml_string;

/// The release of motebok whose binary a new project's CI downloads: this one.
const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// The GitHub repository motebok's releases are published in (`owner/name`):
/// set by the release workflow when it builds the binary, else taken from
/// `repository` in Cargo.toml; a placeholder to fill in (the workflow says so)
/// when neither is known, as in a local development build.
fn release_repository() -> &'static str {
    let from_cargo = env!("CARGO_PKG_REPOSITORY")
        .strip_prefix("https://github.com/")
        .map(|r| r.trim_end_matches('/').trim_end_matches(".git"));
    match option_env!("MOTEBOK_RELEASE_REPOSITORY") {
        Some(repo) if !repo.is_empty() => repo,
        _ => from_cargo
            .filter(|r| !r.is_empty())
            .unwrap_or(PLACEHOLDER_REPOSITORY),
    }
}

/// What [`release_repository`] gives when the repository is not known.
const PLACEHOLDER_REPOSITORY: &str = "EIER/motebok";

/// Every file of a new project as (`/`-separated name, text), in writing order.
pub(super) fn project_files(spec: &ProjectSpec) -> Vec<(String, String)> {
    let year = spec.date.year;
    let yy = year.rem_euclid(100);
    let meeting = format!("content/{}/{year}-01", spec.body);
    let mut files = vec![
        (format!("content/{}/body.yaml", spec.body), body_yaml(spec)),
        (format!("{meeting}/meeting.yaml"), meeting_yaml(spec)),
        (format!("{meeting}/saker/02-{yy:02}.md"), paper_md()),
        (
            ".gitignore".to_owned(),
            "# Genererte dokumenter: det offentlige nettstedet og det interne settet\nsite/\noutput/\n"
                .to_owned(),
        ),
        ("README.md".to_owned(), readme(spec)),
        (".github/workflows/motebok.yml".to_owned(), workflow()),
    ];
    files.extend(ContentFile::ALL.map(|file| {
        let name = format!("{SCHEMA_FOLDER}/{}", file.schema_name());
        (name, file.schema_text())
    }));
    files
}

fn body_yaml(spec: &ProjectSpec) -> String {
    format!(
        r#"{modeline}# {name}: organet og medlemmene (laget med `motebok init`).
# Feltene er beskrevet i docs/content.md i motebok.
id: {id}
name: {quoted}
# Navnet som brukes i vedtak («{name} godkjenner …»); samme som name om det utelates.
short_name: {quoted}
organisation: Eksempelvirksomheten
# Adresselinje nederst på sidene (valgfri).
footer: "Eksempelvirksomheten · Postboks 1, 0101 Oslo · post@eksempel.no"

# Medlemslisten, i den rekkefølgen den skal trykkes.
# PERSONENE UNDER ER OPPDIKTEDE EKSEMPLER: bytt dem ut med organets medlemmer.
# id: kort id som brukes i møtefilene (små bokstaver, sifre og -)
# role: leader (leder), member (medlem), observer (observatør)
#       eller secretariat (sekretariat)
members:
  - id: kleder
    name: Kari Leder
    title: Direktør
    organisation: Eksempelvirksomheten
    role: leader
  - id: omedlem
    name: Ola Medlem
    title: Avdelingsleder
    organisation: Eksempelkommunen
    role: member
  - id: imedlem
    name: Ingrid Medlem
    title: Seniorrådgiver
    organisation: Eksempelforetaket
    role: member
  - id: pobservator
    name: Per Observatør
    organisation: Eksempeletaten
    role: observer
  - id: ssekretaer
    name: Siri Sekretær
    title: Rådgiver
    organisation: Eksempelvirksomheten
    role: secretariat
"#,
        modeline = ContentFile::Body.modeline(),
        id = spec.body,
        name = one_line(&spec.name),
        quoted = yaml_string(&spec.name),
    )
}

/// `text` fit for a comment line.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

fn meeting_yaml(spec: &ProjectSpec) -> String {
    let date = spec.date;
    let yy = date.year.rem_euclid(100);
    format!(
        r#"{modeline}# EKSEMPEL: det første møtet i {name}. Rediger dato, sted og saker,
# eller slett mappen og lag et nytt møte med `motebok new {id} --date ÅÅÅÅ-MM-DD`.
number: 1/{year}
date: {year:04}-{month:02}-{day:02}
start: "10:00"
place: Møterom 1, Eksempelvirksomheten
chair: kleder
# `planned`: bygges for sekretariatet, men publiseres ikke (`motebok archive`)
# før innkallingen er sendt. Skriv `sent` da.
status: planned

# Sakslisten. Klokkeslettene regnes ut fra start og varighet (minutter).
# Faste saker (standing) får tittel og forslag til vedtak automatisk.
agenda:
  - case: 1/{yy:02}
    standing: innkalling
    kind: godkjenning
    presenter: kleder
    duration: 5

  - case: 2/{yy:02}
    title: Orientering om arbeidet så langt
    kind: orientering
    presenter: ssekretaer
    duration: 20
    # Saksfremlegget skrives i Markdown i denne fila.
    paper: saker/02-{yy:02}.md

  - break: Pause
    duration: 10

  - case: 3/{yy:02}
    title: Arbeidsplan for året
    kind: beslutning
    description: |
      - Forslag til prioriteringer
      - Møteplan
    presenter: [kleder, omedlem]
    duration: 30
    proposed_decision:
      - {decision}
      - Sekretariatet følger opp prioriteringene til neste møte.

  # `auto` gir neste ledige saksnummer.
  - case: auto
    standing: eventuelt
    duration: 5
"#,
        modeline = ContentFile::Meeting.modeline(),
        name = one_line(&spec.name),
        decision = yaml_string(&format!("{} vedtar arbeidsplanen.", spec.name)),
        id = spec.body,
        year = date.year,
        month = date.month,
        day = date.day,
    )
}

fn paper_md() -> String {
    "EKSEMPEL på et saksfremlegg. Skriv saken her i Markdown: avsnitt skilles \
     med en tom linje.\n\n\
     ## Bakgrunn\n\n\
     Sekretariatet orienterer om arbeidet så langt og om planene videre.\n\n\
     ## Vurdering\n\n\
     - Punktlister skrives med bindestrek.\n\
     - *Kursiv* og **fet** skrift virker også.\n\n\
     Forslag til vedtak skrives ikke her, men i møtefila (`proposed_decision`); \
     for orienteringssaker lages det automatisk.\n"
        .to_owned()
}

fn readme(spec: &ProjectSpec) -> String {
    format!(
        r#"# Møtedokumenter for {name}

Innkallinger, saksfremlegg, møtepakker og referater for {name}, laget med
[motebok](https://github.com/{repo}) fra tekstfilene i `content/`.

## Slik lager du dokumentene

Last ned `motebok` for ditt operativsystem fra
<https://github.com/{repo}/releases> (versjon {version}), pakk ut og legg
programmet et sted i `PATH`. Kjør så i denne mappen:

```sh
motebok build      # lager alle dokumentene
motebok watch      # lager dem på nytt hver gang du lagrer en fil (Ctrl-C stopper)
motebok check      # sjekker innholdet uten å skrive noe
```

PDF-ene havner i `output/<organ>/<møte>/`: `innkalling.pdf`, ett
`sak-NN-ÅÅ.pdf` per sak med saksfremlegg, `motepakke.pdf` med alt samlet, og
`referat.pdf` når møtet har referat. Feil i innholdet meldes med fil, linje og
felt, og da skrives ingenting.

## Innholdet

```
content/{id}/body.yaml                  organet og medlemslisten
content/{id}/<ÅÅÅÅ-NN>/meeting.yaml     et møte og sakslisten
content/{id}/<ÅÅÅÅ-NN>/saker/*.md       saksfremleggene (Markdown)
content/{id}/<ÅÅÅÅ-NN>/minutes.yaml     referatet, når møtet er holdt
schema/                                 beskrivelsen av feltene, for editoren
```

Medlemmene og det første møtet er eksempler: bytt dem ut. Neste møte lages med
`motebok new {id} --date ÅÅÅÅ-MM-DD`, som gir riktige møte- og saksnummer.

## Hjelp i editoren

Første linje i YAML-filene (`# yaml-language-server: $schema=…`) peker på
beskrivelsen av feltene i `schema/`. I VS Code med utvidelsen *YAML* (Red Hat),
eller i en annen editor med `yaml-language-server`, får du da forslag til felt
og verdier, forklaring på hvert felt, og feil markert mens du skriver. Kjør
`motebok schema` etter at du har oppgradert motebok, så følger beskrivelsen med.

## Tilpasse utseendet

Dokumentene lages av maler som er bygd inn i motebok. For å endre dem:

```sh
motebok templates eject   # kopierer malene til templates/
```

Rediger så filene i `templates/`. En fil der erstatter den innebygde malen med
samme navn; slett fila for å gå tilbake til den innebygde. `templates/labels.yaml`
(om den finnes) har faste ord og formuleringer. `motebok templates list` viser
hvilke maler som brukes.

## Publisering

`.github/workflows/motebok.yml` laster ned motebok {version} og kjører
`motebok archive` ved hver endring på `main`, og publiserer PDF-ene med en
oversiktsside på GitHub Pages (slå på Pages med kilde «GitHub Actions» under
Settings → Pages). Oppgrader ved å endre `MOTEBOK_VERSION` der.

Bare det offentlige publiseres (mappen `site/`): møter med `status: planned`
(som eksempelmøtet og alle møter `motebok new` lager) kommer ikke med før du
skriver `status: sent` når innkallingen er sendt, og saker med `exempt:` eller
`closed:` vises bare med saksnummer, offentlig tittel og hjemmel. Alt ligger
komplett i `output/`, som aldri publiseres.
"#,
        name = one_line(&spec.name),
        id = spec.body,
        repo = release_repository(),
        version = VERSION,
    )
}

fn workflow() -> String {
    format!(
        r#"# Bygger møtedokumentene med en ferdig motebok fra en utgivelse (ingen
# kompilering) og publiserer site/ (de offentlige PDF-ene, index.html og
# index.json; aldri output/, som er det interne settet med saker unntatt
# offentlighet) på GitHub Pages ved hver push til main. Laget med `motebok init`.
name: motebok

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

env:
  # Versjonen av motebok som brukes; endre for å oppgradere.
  MOTEBOK_VERSION: {version}
  # Hvor motebok-utgivelsene ligger (eier/navn på GitHub).{fill_in}
  MOTEBOK_REPOSITORY: {repo}

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Hent motebok
        run: |
          name="motebok-$MOTEBOK_VERSION-x86_64-unknown-linux-musl"
          curl --fail --location --silent --show-error \
            "https://github.com/$MOTEBOK_REPOSITORY/releases/download/$MOTEBOK_VERSION/$name.tar.gz" \
            | tar -xz -C "$RUNNER_TEMP"
          echo "$RUNNER_TEMP/$name" >> "$GITHUB_PATH"
      # Forrige bygg: uendrede dokumenter kompileres ikke på nytt.
      - uses: actions/cache@v4
        with:
          path: output
          key: motebok-output-${{{{ github.sha }}}}
          restore-keys: motebok-output-
      - name: Lag dokumentene og arkivet
        run: motebok archive --quiet
      - if: github.event_name != 'pull_request'
        uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    if: github.event_name != 'pull_request'
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#,
        version = VERSION,
        repo = release_repository(),
        fill_in = if release_repository() == PLACEHOLDER_REPOSITORY {
            "\n  # BYTT UT EIER med eieren av repositoriet motebok lastes ned fra."
        } else {
            ""
        },
    )
}
