/**
 * Guided channel setup's strings: a catalogue of their own, loaded with the setup
 * chunk (ui/src/screens/channel-setup) so the app's first load does not carry them.
 */
export const setupEn = {
  "setup.title": "Set up {channel}",
  "setup.close": "Close",
  "setup.atProvider": "At the provider",
  "setup.open": "Open {host}",
  "setup.docs": "Full guide",
  "setup.values": "Values",
  "setup.advanced": "Advanced",
  "setup.secretNote": "Stored in openclaw.json on the gateway; it is never shown here again.",
  "setup.dm": "Who may message the bot directly",
  "setup.dm.pairing": "Pairing (recommended): strangers get a code you approve on this screen",
  "setup.dm.allowlist": "Only the ids below",
  "setup.dm.open": "Anyone (not recommended: anyone can use your model)",
  "setup.allowFrom": "Allowed sender ids (comma-separated)",
  "setup.group": "Groups and channels",
  "setup.group.allowlist": "Only groups added to the config later (recommended)",
  "setup.group.open": "Any group the bot is in (when mentioned)",
  "setup.group.disabled": "Never answer in groups",
  "setup.save": "Save and connect",
  "setup.saving": "Saving…",
  "setup.watching": "Saved. Waiting for {channel} to connect…",
  "setup.state": "Status: {state}",
  "setup.connected": "Connected. Messages to the bot now reach the assistant.",
  "setup.connectedAs": "Connected as {name}. Messages to the bot now reach the assistant.",
  "setup.failed": "{channel} did not connect: {reason}",
  "setup.retry": "Change the values",
  "setup.done": "Done",
  "setup.restart": "Saved, but these keys need a gateway restart: {paths}",
  "setup.copyManifest": "Copy manifest",
  "setup.invite": "Invite the bot to your server",
  "setup.err.required": "{field} is required.",
  "setup.err.url": "Enter a full http:// or https:// URL.",
  "setup.err.telegramToken":
    "That is not a Telegram bot token: it looks like 123456789:AA… (digits, a colon, 35 characters); copy it again from BotFather.",
  "setup.err.discordToken":
    "That is not a Discord bot token: it has three parts separated by dots; copy it again from Bot → Reset Token.",
  "setup.err.discordId":
    "The application id is the 17–20 digit number on the application's General Information page.",
  "setup.err.slackBot": "The bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token).",
  "setup.err.slackApp": "The app token starts with xapp- (Basic Information → App-Level Tokens).",
  "setup.err.phone": "Enter the number in international form with +, e.g. +15551234567.",
  "setup.err.allowFrom": "Add at least one sender id, or choose pairing.",
  "setup.telegram.s1":
    "Open @BotFather in Telegram and send /newbot; choose a name and a username ending in “bot”.",
  "setup.telegram.s2": "BotFather answers with the bot token: copy it into the field below.",
  "setup.telegram.s3":
    "For groups: /setprivacy → Disable lets the bot see every message (otherwise only mentions and commands).",
  "setup.telegram.token": "Bot token",
  "setup.telegram.apiRoot": "Bot API server URL (for a local Bot API server)",
  "setup.discord.s1": "In the Discord Developer Portal, click New Application and name it.",
  "setup.discord.s2":
    "Open Bot: under Privileged Gateway Intents enable Message Content Intent, save, then click Reset Token and copy the token.",
  "setup.discord.s3":
    "Copy the Application ID from General Information into the field below to get the invite link (permissions: view channels, send messages and in threads, read history, embed links, attach files, add reactions).",
  "setup.discord.s4": "Open the invite link, choose your server and authorise the bot.",
  "setup.discord.token": "Bot token",
  "setup.discord.appId": "Application ID (for the invite link)",
  "setup.discord.apiBaseUrl": "REST API base URL (for a proxy)",
  "setup.slack.s1":
    "Create a Slack app: From a manifest → choose the workspace → paste the manifest below (Socket Mode, the scopes and events the channel needs).",
  "setup.slack.s2":
    "Basic Information → App-Level Tokens → Generate Token with the connections:write scope; copy the xapp- token.",
  "setup.slack.s3": "Install App → Install to Workspace; copy the Bot User OAuth Token (xoxb-).",
  "setup.slack.s4": "In Slack, invite the bot to a channel with /invite @name, or send it a direct message.",
  "setup.slack.botToken": "Bot token (xoxb-…)",
  "setup.slack.appToken": "App-level token (xapp-…)",
  "setup.slack.apiUrl": "Web API base URL (for a proxy)",
  "setup.signal.s1": "Install signal-cli on the gateway's machine (Java or the native build).",
  "setup.signal.s2":
    "Register a number for the bot (signal-cli -a +NUMBER register, then verify CODE) or link it to your phone (signal-cli link -n openclaw, scan the QR in Signal → Settings → Linked devices).",
  "setup.signal.s3":
    "Either leave the URL empty (the gateway starts signal-cli itself) or run signal-cli -a +NUMBER daemon --http 127.0.0.1:8080 and enter that URL.",
  "setup.signal.account": "The bot's Signal number",
  "setup.signal.httpUrl": "signal-cli HTTP daemon URL (optional)",
  "setup.whatsapp.s1": "Choose who may message the bot, then save: the gateway starts WhatsApp.",
  "setup.whatsapp.s2":
    "On your phone: WhatsApp → Settings → Linked devices → Link a device, and scan the code shown here.",
};

export type SetupKey = keyof typeof setupEn;
export type SetupMessages = Record<SetupKey, string>;
