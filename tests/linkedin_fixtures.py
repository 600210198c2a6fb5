"""LinkedIn export files as real archives write them, quirks included, written into tmp_path.

Each constant is the exact text of one file; `export_zip` packs a set of them the way LinkedIn
does (flat, `Basic_LinkedInDataExport_MM-DD-YYYY.zip`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

OWNER_URL = "https://www.linkedin.com/in/marie-tremblay-qc"

# Preamble, BOM, a padding row, one empty-but-dated row, CRLF endings.
CONNECTIONS = (
    "\ufeffNotes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    'missing. You will only see email addresses for connections who have allowed it."\r\n'
    "\r\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
    "Jean,Gagnon,https://www.linkedin.com/in/jean-gagnon,,Desjardins,Conseiller,30 Aug 2019\r\n"
    "Émilie,Côté,https://ca.linkedin.com/in/Emilie-Cote/,emilie@example.com,CGI,"
    '"Directrice, ventes",1 Jan 2024\r\n'
    ",,,,,,\r\n"
    ",,,,,,12 Mar 2022\r\n"
    "Samir,Roy,http://linkedin.com/in/samir-roy?trk=abc,,,Analyste,18-Jun-24\r\n"
)
CONNECTIONS_NEWER = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some emails are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Jean,Gagnon,https://www.linkedin.com/in/Jean-Gagnon/,,Desjardins,Directeur,30 Aug 2019\n"
    "Émilie,Côté,https://www.linkedin.com/in/emilie-cote,emilie@example.com,CGI,"
    '"Directrice, ventes",1 Jan 2024\n'
    "Samir,Roy,https://www.linkedin.com/in/samir-roy,,,Analyste,18 Jun 2024\n"
    "Zoé,Fortin,https://www.linkedin.com/in/zoe-fortin,,Vidéotron,VP Marketing,2 Oct 2025\n"
)
CONNECTIONS_2021 = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some emails are missing."\r\n'
    "\r\n"
    "First Name,Last Name,Email Address,Company,Position,Connected On\r\n"
    "Jean,Gagnon,,Desjardins,Conseiller,30 Aug 2019\r\n"
    "  Léa ,  Morin,,Hydro-Québec,Analyste,4 Feb 2021\r\n"
)
CONNECTIONS_2018 = (
    "First Name,Last Name,Email Address,Current Company,Current Position,Tags,Connected On\r\n"
    'Jean,Gagnon,,Desjardins,Conseiller,,"1/8/18, 6:14 PM"\r\n'
)

# A multi-line commentary: each of its lines wrapped in extra quotes; a reshare; CRLF and LF.
SHARES = (
    "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\r\n"
    "2025-07-01 14:33:22,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A111,"
    '"""Première ligne""\n""""\n""Deuxième ligne""",,,MEMBER_NETWORK\r\n'
    "2025-06-30 09:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A222,,"
    "https://example.com/article,,MEMBER_NETWORK\n"
    '2025-06-29 08:00:00,,"Sans lien, mais avec une virgule",,,CONNECTIONS_ONLY\n'
)
SHARES_2024 = (
    "Date,ShareLink,ShareCommentary,SharedURL,MediaURL,Visibility\n"
    "2024-06-18 11:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A333,,"
    "https://example.com/shared,https://media.example.com/1.jpg,MEMBER_NETWORK\n"
)
# The 2018 file: UTF-16LE with a BOM, tab-separated, other columns in another order.
SHARES_2018_TEXT = (
    "Date\tShareLink\tShareCommentary\tSharedUrl\n"
    "2018-03-02 10:15:00\thttps://www.linkedin.com/updates?topic=6377\tBonjour à tous\t\n"
)
SHARES_2018 = b"\xff\xfe" + SHARES_2018_TEXT.replace("\n", "\r\n").encode("utf-16-le")
# Re-saved by a spreadsheet: short dates, `NA` for empty cells.
SHARES_SPREADSHEET = (
    "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\r\n"
    "18-Jun-24,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A444,Salut,NA,NA,NA\r\n"
    "NA,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A555,Sans date,NA,NA,NA\r\n"
)

# Quotes escaped as \" instead of "".
COMMENTS = (
    "Date,Link,Message\n"
    "2025-07-02 10:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A1,"
    '"Bravo pour \\"la\\" conférence, vraiment"\n'
    "2025-07-03 11:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A2,Merci\n"
)
REACTIONS = (
    "Date,Type,Link\n"
    "2025-07-04 12:00:00,PRAISE,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A3\n"
    "2025-07-05 12:00:00,LIKE,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A4\n"
    "not a date,LIKE,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A5\n"
)
INVITATIONS = (
    "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
    f'Marie Tremblay,Zoé Fortin,"6/14/24, 5:57 AM",Au plaisir,OUTGOING,{OWNER_URL},'
    "https://www.linkedin.com/in/zoe-fortin\n"
    'Noël Bouchard,Marie Tremblay,"6/15/24, 12:03 PM",,INCOMING,'
    f"https://www.linkedin.com/in/noel-bouchard,{OWNER_URL}\n"
)
MESSAGES = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
    "DATE,SUBJECT,CONTENT,FOLDER\n"
    "2-abc,,Jean Gagnon,https://www.linkedin.com/in/jean-gagnon,Marie Tremblay,"
    f"{OWNER_URL},2024-06-18 11:59:53 UTC,,Bonjour Marie,INBOX\n"
    f"2-abc,,Marie Tremblay,{OWNER_URL},Jean Gagnon,https://www.linkedin.com/in/jean-gagnon,"
    "2024-06-18 12:10:00 UTC,,Bonjour Jean,INBOX\n"
    "2-def,,Samir Roy,https://www.linkedin.com/in/samir-roy,Marie Tremblay,"
    f"{OWNER_URL},2024-06-19 08:00:00 UTC,,Une question,INBOX\n"
)
# Newer exports add columns; a draft was never sent.
MESSAGES_NEWER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
    "DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT\n"
    "2-abc,,Jean Gagnon,https://www.linkedin.com/in/jean-gagnon,Marie Tremblay,"
    f"{OWNER_URL},2024-06-18 11:59:53 UTC,,Bonjour Marie,INBOX,,No\n"
    f"2-ghi,,Marie Tremblay,{OWNER_URL},Zoé Fortin,https://www.linkedin.com/in/zoe-fortin,"
    "2024-06-20 09:00:00 UTC,,Brouillon,DRAFT,,Yes\n"
)
PROFILE = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,"
    "Geo Location,Twitter Handles,Websites,Instant Messengers\n"
    'Marie,Tremblay,,,,Directrice des ventes,"Je vends,\nje relie.",Services-conseils,,'
    '"Québec, Canada",,[COMPANY:https://exemple.example],\n'
)
RECOMMENDATIONS_RECEIVED = (
    "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\r\n"
    'Jean,Gagnon,Desjardins,Conseiller,"Marie est formidable.","12/24/23, 05:28 AM",VISIBLE\r\n'
)
RECOMMENDATIONS_GIVEN = (
    "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\r\n"
    'Léa,Morin,Hydro-Québec,Analyste,"Léa est rigoureuse.","1/2/24, 10:01 PM",VISIBLE\r\n'
)
ENDORSEMENTS = (
    "Endorsement Date,Skill Name,Endorser First Name,Endorser Last Name,Endorser Public Url,"
    "Endorsement Status\n"
    "2024/02/24 14:03:38 UTC,Vente,Jean,Gagnon,www.linkedin.com/in/jean-gagnon,ACCEPTED\n"
)
FOLLOWS = "Organization,Followed On\nDesjardins,Tue Jun 18 12:03:31 UTC 2024\n"

FULL_EXPORT: dict[str, str | bytes] = {
    "Connections.csv": CONNECTIONS,
    "Shares.csv": SHARES,
    "Comments.csv": COMMENTS,
    "Reactions.csv": REACTIONS,
    "Invitations.csv": INVITATIONS,
    "messages.csv": MESSAGES,
    "Profile.csv": PROFILE,
    "Recommendations_Received.csv": RECOMMENDATIONS_RECEIVED,
    "Recommendations_Given.csv": RECOMMENDATIONS_GIVEN,
    "Endorsement_Received_Info.csv": ENDORSEMENTS,
    "Company Follows.csv": FOLLOWS,
    "Jobs/Job Applications.csv": "Application Date,Company Name\n6/1/24,Desjardins\n",
    "Learning.csv": "Content Title,Content Type\nVendre,COURSE\n",
}


def export_zip(
    directory: Path,
    files: Mapping[str, str | bytes],
    name: str = "Basic_LinkedInDataExport_11-29-2026.zip",
    date_time: tuple[int, int, int, int, int, int] = (2026, 11, 29, 9, 0, 0),
) -> Path:
    """Write `files` into a zip named like LinkedIn's under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            archive.writestr(zipfile.ZipInfo(member, date_time=date_time), data)
    return path


def export_file(directory: Path, name: str, content: str | bytes) -> Path:
    """Write one CSV file, as a user uploading a single file would."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path
