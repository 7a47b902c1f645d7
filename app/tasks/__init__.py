"""Work for hub navigators: a task opened once per cause by whichever capability finds something
a person must do (a critical update not confirmed, a message that failed, an "I was not told"
report, a victim's message). The console (app/navigator) lists and closes them."""
