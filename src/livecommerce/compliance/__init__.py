"""合规检测: prohibited words and claims in live-stream speech, chat, titles and scripts, found where they are."""
